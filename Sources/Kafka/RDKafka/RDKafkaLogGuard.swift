import CRdKafka
import Logging
import Foundation
import Synchronization

/// Keeps a consumer from reading a replaced log as if it were the one its offsets belong to.
///
/// A broker can replace a partition's log under the same topic name: a topic deleted and created
/// again, or a memory broker (Tansu) that restarted empty. The new log reuses offsets from 0, so a
/// consumer that fetches on at its old position silently skips the new log's first messages (the
/// librdkafka 2.8 metadata code notes the case as a FIXME and does nothing). The topic id tells
/// the logs apart. This guard:
/// - describes the topics of each assignment before it is handed to the application, which
///   compares those ids with the ones its offsets were stored with;
/// - on any consumer error (a broker restart always brings one: its connections drop before the
///   new log exists), pauses every assigned partition at once (librdkafka then drops what it
///   fetched since), asks the broker for the ids again, and resumes only when they are known: a
///   topic whose id changed is read again from its beginning, its messages tagged with the new id;
/// - holds the partitions of an assignment whose topic the broker could not describe (it is
///   re-creating its topics) but whose log the application expects (`KafkaAssignment.expectLog`)
///   the same way, until the topic is described: a partition of another log starts from its beginning.
///
/// `describeForAssignment` may run on any thread (a manual `assign`); everything else runs on the
/// poll thread, which also serves the rebalance callbacks.
final class RDKafkaLogGuard: @unchecked Sendable {
    /// The verified id of each assigned topic; messages are tagged with it.
    var topicIDs: [String: KafkaTopicID] { ids.withLock { $0 } }
    private let ids = Mutex<[String: KafkaTopicID]>([:])
    /// Moves whenever `topicIDs` changes, so the poll loop re-reads them only then (not per message).
    var generation: Int { changes.load(ordering: .acquiring) }
    private let changes = Atomic<Int>(0)
    /// Set after a consumer error: fetching is paused until the ids are verified again.
    private(set) var isVerifying = false
    /// What the guard paused and has not resumed (a rebalance may take partitions away meanwhile).
    private var paused: Set<TopicPartition> = []
    /// Held partitions of undescribed topics, with the log their starting offsets belong to.
    private var expected: [TopicPartition: KafkaTopicID] = [:]
    private var nextAttempt = ContinuousClock.now
    private var attempts = 0
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Before an assignment is handed to the application: the ids of its topics. While the broker
    /// does not know a topic yet (it is re-creating its topics), asks again for about two seconds
    /// (`assignmentAttempts`); a topic it still does not describe, or gives no id for, is left out
    /// (the application may then name the log it expects: `KafkaAssignment.expectLog`).
    func describeForAssignment(_ handle: OpaquePointer, topics: Set<String>) -> [String: KafkaTopicID] {
        var described: [String: KafkaTopicID?] = [:]
        for attempt in 1...Self.assignmentAttempts {
            do {
                described = try RDKafkaTopicIDs.describe(handle, topics: topics.sorted(), timeoutMilliseconds: 3_000)
                if described.count == topics.count { break }
            } catch {
                logger.warning("topic ids unavailable for the assignment", metadata: [
                    "topics": "\(topics.sorted())", "attempt": "\(attempt)", "error": "\(error)"])
            }
            if attempt < Self.assignmentAttempts { usleep(500_000) }
        }
        let found = described.compactMapValues { $0 }
        ids.withLock { known in for topic in topics { known[topic] = found[topic] } }
        changes.add(1, ordering: .releasing)
        return found
    }

    /// How often an assignment asks for ids (half a second apart) before it goes to the application
    /// without them: the rebalance callback waits meanwhile, and `assigned(_:_:expecting:)` holds the rest.
    static let assignmentAttempts = 4

    /// After the application accepted an assignment: its partitions were checked against fresh ids
    /// just now, so a pause the guard left on them (librdkafka keeps it across a rebalance) goes;
    /// partitions whose log the application expects but the broker did not describe are held.
    func assigned(_ handle: OpaquePointer, _ partitions: [TopicPartition], expecting: [TopicPartition: KafkaTopicID]) {
        expected = expecting
        let held = partitions.filter { paused.contains($0) && expecting[$0] == nil }
        if !held.isEmpty {
            let list = RDKafkaTopicPartitionList(held)
            if rd_kafka_resume_partitions(handle, list.pointer) == RD_KAFKA_RESP_ERR_NO_ERROR {
                paused.subtract(held)
            }
        }
        guard !expecting.isEmpty else { return }
        let hold = RDKafkaTopicPartitionList(Array(expecting.keys))
        _ = rd_kafka_pause_partitions(handle, hold.pointer)
        paused.formUnion(expecting.keys)
        logger.notice("the broker did not describe assigned topics: their partitions wait until it does", metadata: [
            "partitions": "\(expecting.keys.sorted().map(\.description))"])
        if !isVerifying {
            isVerifying = true
            attempts = 0
            nextAttempt = .now
        }
    }

    /// After a consumer error: stop fetching every assigned partition until `verifyIfDue` succeeds.
    func suspect(_ handle: OpaquePointer, because error: KafkaError) {
        guard let assignment = Self.assignment(handle), !assignment.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(assignment)
        _ = rd_kafka_pause_partitions(handle, list.pointer)
        paused.formUnion(assignment)
        guard !isVerifying else { return }
        logger.notice("consumer error: fetching paused until the logs' identity is verified",
                      metadata: ["error": "\(error)"])
        isVerifying = true
        attempts = 0
        nextAttempt = .now
    }

    /// While verifying, asks for the ids again (at most every half second) and resumes when they
    /// are known; while the broker cannot answer, fetching stays paused.
    func verifyIfDue(_ handle: OpaquePointer) {
        guard isVerifying, ContinuousClock.now >= nextAttempt else { return }
        let assignment = Self.assignment(handle) ?? []
        attempts += 1
        let topics = Set(assignment.map(\.topic))
        let described: [String: KafkaTopicID?]
        do {
            described = try RDKafkaTopicIDs.describe(handle, topics: topics.sorted(), timeoutMilliseconds: 1_000)
        } catch {
            retryLater(error: "\(error)")
            return
        }
        // While the broker re-creates its topics it may not know them yet: wait for all of them.
        let missing = topics.subtracting(described.keys)
        guard missing.isEmpty else {
            retryLater(error: "not described yet: \(missing.sorted())")
            return
        }
        let known = topicIDs
        for topic in topics.sorted() {
            guard let id = described[topic] ?? nil else { continue }  // no ids from this broker
            // The whole topic when its log changed under the assignment; else the held partitions
            // whose starting offsets belong to another log.
            let replaced = known[topic].map { $0 != id } ?? false
            let partitions = assignment.filter {
                $0.topic == topic && (replaced || expected[$0].map { $0 != id } ?? false)
            }
            guard let first = partitions.first else {
                if known[topic] != id {
                    ids.withLock { $0[topic] = id }
                    changes.add(1, ordering: .releasing)
                }
                continue
            }
            let old = replaced ? known[topic]! : expected[first]!
            let list = RDKafkaTopicPartitionList(partitions, offset: .beginning)
            if let error = rd_kafka_seek_partitions(handle, list.pointer, 5_000) {
                let text = String(cString: rd_kafka_error_string(error))
                rd_kafka_error_destroy(error)
                retryLater(error: "seek to the beginning of \(topic): \(text)")
                return
            }
            if let error = list.firstError {
                retryLater(error: "seek to the beginning of \(topic): \(error)")
                return
            }
            logger.error("the broker replaced the log of a topic (new topic id): reading it from its beginning", metadata: [
                "topic": "\(topic)", "old_topic_id": "\(old)", "new_topic_id": "\(id)",
                "partitions": "\(partitions.map(\.partition.rawValue).sorted())"])
            ids.withLock { $0[topic] = id }
            changes.add(1, ordering: .releasing)
        }
        expected = [:]
        // Resume what is assigned now; what a rebalance took away meanwhile is resumed when it
        // comes back (`assigned`).
        let resumable = assignment.filter { paused.contains($0) }
        if !resumable.isEmpty {
            let list = RDKafkaTopicPartitionList(resumable)
            let err = rd_kafka_resume_partitions(handle, list.pointer)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                retryLater(error: "resume: \(KafkaError.librdkafka(err, "resume"))")
                return
            }
            paused.subtract(resumable)
        }
        logger.notice("logs' identity verified; fetching resumed", metadata: ["attempts": "\(attempts)"])
        isVerifying = false
    }

    private func retryLater(error: String) {
        if attempts == 1 || attempts % 20 == 0 {
            logger.warning("cannot verify the logs' identity yet; fetching stays paused",
                           metadata: ["attempt": "\(attempts)", "error": "\(error)"])
        }
        nextAttempt = .now + .milliseconds(500)
    }

    private static func assignment(_ handle: OpaquePointer) -> [TopicPartition]? {
        var pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(handle, &pointer) == RD_KAFKA_RESP_ERR_NO_ERROR, let pointer else { return nil }
        return RDKafkaTopicPartitionList(taking: pointer).elements.map(\.topicPartition)
    }
}
