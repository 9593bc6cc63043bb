import Synchronization

/// What the application does when the group gives it partitions or takes them away.
///
/// Both run on the consumer's poll thread, which waits for them: nothing is fetched for the
/// partitions until `assigned` has returned their starting offsets, and `revoked` can finish
/// (flush a batch, store offsets) before the partitions move to another member.
public struct KafkaRebalanceHandler: Sendable {
    /// Given the newly assigned partitions and the ids of their topics' logs, returns where to start
    /// each one, typically the next offsets stored by the application (in our case in PostgreSQL,
    /// with the topic id they belong to). Partitions left out start at the offset committed in
    /// Kafka, else at `auto.offset.reset`. If it throws, the consumer stops and its message sequence
    /// throws that error: consuming from an unknown position would break exactly-once processing.
    public var assigned: @Sendable (KafkaAssignment) async throws -> [TopicPartition: KafkaOffset]
    /// Called before revoked partitions are given up. Buffered messages of those partitions have
    /// already been dropped from the consumer's buffer (their new owner will read them again).
    public var revoked: @Sendable ([TopicPartition]) async -> Void

    public init(
        assigned: @escaping @Sendable (KafkaAssignment) async throws -> [TopicPartition: KafkaOffset] = { _ in [:] },
        revoked: @escaping @Sendable ([TopicPartition]) async -> Void = { _ in }
    ) {
        self.assigned = assigned
        self.revoked = revoked
    }
}

/// Partitions given to a group member, with the identity of each topic's log as the broker
/// described it just before the assignment.
public final class KafkaAssignment: Sendable {
    public let partitions: [TopicPartition]
    /// The id of each assigned topic's log. A topic is missing when the broker gives no ids (before
    /// Kafka 2.8) or could not describe it just now (a restarted broker re-creating its topics).
    public let topicIDs: [String: KafkaTopicID]
    private let expected = Mutex<[TopicPartition: KafkaTopicID]>([:])

    public init(partitions: [TopicPartition], topicIDs: [String: KafkaTopicID] = [:]) {
        self.partitions = partitions
        self.topicIDs = topicIDs
    }

    /// For a partition of a topic missing from `topicIDs`: the application's starting offset
    /// belongs to log `id`. The consumer then holds the partition (fetches nothing) until the
    /// broker describes the topic, and reads it from the beginning if its log is another one.
    public func expectLog(_ id: KafkaTopicID, of partition: TopicPartition) {
        expected.withLock { $0[partition] = id }
    }

    var expectedLogs: [TopicPartition: KafkaTopicID] { expected.withLock { $0 } }
}
