import Foundation
import MarketCore
import PipelineContracts
import PostgresNIO
import Synchronization

/// How a consumer group keeps up (`GET /pipeline`, the `pipeline:GROUP` stream channel): its
/// committed offsets (`analytics.consumer_offsets`), the broker's end offsets, the processors'
/// batch windows (`analytics.ingest_windows`) and the dead letters. One sample at most every
/// 0.9 s per group, shared by every caller; rates compare it with the oldest of the last ~10 s.
/// The broker is asked every 5 s at most (a true high watermark costs a fetch: `KafkaAdmin`).
final class PipelineMonitor: Sendable {
    /// The broker's end offset of each partition of a topic.
    typealias EndOffsets = @Sendable (_ topic: String) async throws -> [Int32: Int64]

    static let rateWindow: Duration = .seconds(10)
    static let minimumSpacing: Duration = .milliseconds(900)
    static let maxGroups = 16

    /// Counts per topic at an instant: committed offsets, or the broker's end offsets.
    struct Sample: Sendable {
        var at: ContinuousClock.Instant
        var counts: [String: Int64]
    }

    private struct GroupState {
        var committed: [Sample] = []
        var ends: [Sample] = []
        /// The broker's last answer per topic and partition, and when it was asked.
        var lastEnds: (at: ContinuousClock.Instant, date: Date, ends: [String: [Int32: Int64]], error: String?)?
        var latest: (at: ContinuousClock.Instant, body: PipelineBody)?
        var inFlight: Task<PipelineBody?, any Error>?
        /// A background read of the broker's end offsets is under way.
        var askingBroker = false
    }

    let database: ReaderDatabase
    let endOffsets: EndOffsets?
    /// How long the broker may take to answer before the sample goes without its end offsets.
    let brokerTimeout: Duration
    /// How long the broker's end offsets are used before it is asked again.
    let brokerSpacing: Duration
    private let groups = Mutex<[String: GroupState]>([:])

    init(database: ReaderDatabase, endOffsets: EndOffsets?, brokerTimeout: Duration = .seconds(2),
         brokerSpacing: Duration = .seconds(5)) {
        self.database = database
        self.endOffsets = endOffsets
        self.brokerTimeout = brokerTimeout
        self.brokerSpacing = brokerSpacing
    }

    /// The group's state now (at most 0.9 s old); nil when the group has committed nothing.
    func snapshot(group: String) async throws -> PipelineBody? {
        let task: Task<PipelineBody?, any Error> = groups.withLock { groups in
            var state = groups[group] ?? GroupState()
            if let latest = state.latest, latest.at.duration(to: .now) < Self.minimumSpacing {
                return Task { latest.body }
            }
            if let running = state.inFlight { return running }
            let task = Task<PipelineBody?, any Error> {
                do {
                    let body = try await self.sample(group)
                    self.groups.withLock { $0[group]?.inFlight = nil }
                    return body
                } catch {
                    self.groups.withLock { $0[group]?.inFlight = nil }
                    throw error
                }
            }
            state.inFlight = task
            if groups[group] == nil, groups.count >= Self.maxGroups {
                // Forget the groups nobody asked about for the longest (a made-up name never stays).
                let stale = groups.filter { $0.value.inFlight == nil }.min { ($0.value.latest?.at ?? .now) < ($1.value.latest?.at ?? .now) }
                if let stale { groups[stale.key] = nil }
            }
            groups[group] = state
            return task
        }
        return try await task.value
    }

    private struct Offset: Sendable {
        var topic: String
        var partition: Int32
        var next: Int64
        var updatedAt: String
        var age: Double
    }

    private func sample(_ group: String) async throws -> PipelineBody? {
        let offsets = try await database.rows("""
            SELECT topic, kafka_partition, next_offset, api.rfc3339(updated_at), extract(epoch FROM now() - updated_at)::float8
            FROM analytics.consumer_offsets WHERE consumer_group = \(group) ORDER BY topic, kafka_partition
            """) { row in
            let (topic, partition, next, updatedAt, age) = try row.decode((String, Int32, Int64, String, Double).self)
            return Offset(topic: topic, partition: partition, next: next, updatedAt: updatedAt, age: age)
        }
        guard !offsets.isEmpty else {
            groups.withLock { $0[group] = nil }
            return nil
        }
        let byTopic = Dictionary(grouping: offsets, by: \.topic)
        // The broker's answer takes a fetch (about a second on Tansu): only the first sample of a
        // group waits for it; later ones use the last answer and ask again in the background.
        let topicNames = Array(byTopic.keys)
        let (asked, askAgain) = groups.withLock { groups in
            var state = groups[group, default: GroupState()]
            let asked = state.lastEnds
            let stale = asked.map { $0.at.duration(to: .now) >= brokerSpacing || !(Set($0.ends.keys).isSuperset(of: topicNames) || $0.error != nil) } ?? true
            let askAgain = asked != nil && stale && !state.askingBroker
            if askAgain { state.askingBroker = true }
            groups[group] = state
            return (asked, askAgain)
        }
        if askAgain { Task { await self.askBroker(group, topics: topicNames) } }
        let (ends, brokerError, brokerDate) = if let asked { (asked.ends, asked.error, asked.date) } else { await askBroker(group, topics: topicNames) }
        let processors = try await database.rows("""
            SELECT DISTINCT ON (instance) \(unescaped: Self.windowColumns)
            FROM analytics.ingest_windows
            WHERE consumer_group = \(group) AND window_end > now() - interval '2 minutes'
            ORDER BY instance, window_end DESC
            """, Self.window)
        let deadLetters = try await database.row("""
            SELECT (SELECT count(*) FROM analytics.dead_letters WHERE received_at > now() - interval '1 hour'),
                   latest.id, api.rfc3339(latest.received_at), api.rfc3339(now())
            FROM (SELECT 1) AS one
            LEFT JOIN LATERAL (SELECT id, received_at FROM analytics.dead_letters ORDER BY id DESC LIMIT 1) AS latest ON true
            """) { row in try row.decode((Int64, Int64?, String?, String).self) }
        let sample = Sample(at: .now, counts: byTopic.mapValues { $0.reduce(0) { $0 + $1.next } })
        let (committedSamples, endSamples) = groups.withLock { groups in
            Self.append(sample, to: &groups[group, default: GroupState()].committed)
            return (groups[group]!.committed, groups[group]!.ends)
        }
        let topics = byTopic.keys.sorted().map { topic in
            let partitions = byTopic[topic]!
            var body = PipelineTopic(topic: topic, partitions: partitions.count, committedOffset: sample.counts[topic]!)
            let newest = partitions.min { $0.age < $1.age }!
            (body.lastCommit, body.secondsSinceCommit) = (newest.updatedAt, (max(newest.age, 0) * 1000).rounded() / 1000)
            if let end = ends[topic] {
                // Every partition the broker has, those without a stored offset too (nothing committed yet).
                let committed = Dictionary(partitions.map { ($0.partition, $0.next) }, uniquingKeysWith: max)
                body.endOffset = end.values.reduce(0, +)
                body.lag = end.reduce(0) { $0 + max($1.value - (committed[$1.key] ?? 0), 0) }
                body.partitions = max(body.partitions, end.count)
            }
            body.consumedPerSecond = Self.rate(of: topic, over: committedSamples)
            body.producedPerSecond = Self.rate(of: topic, over: endSamples)
            return body
        }
        let body = PipelineBody(
            consumerGroup: group, asOf: deadLetters?.3 ?? "",
            broker: PipelineBroker(reachable: brokerError == nil, error: brokerError,
                                   readAt: Timestamp(secondsSince1970: brokerDate.timeIntervalSince1970)?.rfc3339),
            topics: topics, processors: processors,
            deadLetters: DeadLetterSummary(lastHour: deadLetters?.0 ?? 0, latestId: deadLetters?.1, latestAt: deadLetters?.2))
        groups.withLock { $0[group]?.latest = (sample.at, body) }
        return body
    }

    /// What `window` reads of an `analytics.ingest_windows` row, in its order.
    static let windowColumns = """
        instance, api.rfc3339(window_end), window_seconds, batches, messages, dead_letters, commit_ms_p50, commit_ms_p99, commit_ms_max
        """

    @Sendable static func window(_ row: PostgresRow) throws -> PipelineProcessor {
        let (instance, end, seconds, batches, messages, deadLetters, p50, p99, worst) =
            try row.decode((String, String, Double, Int32, Int64, Int32, Double?, Double?, Double?).self)
        return PipelineProcessor(instance: instance, windowEnd: end, windowSeconds: seconds, batches: Int(batches),
                                 messages: messages, messagesPerSecond: (Double(messages) / seconds * 10).rounded() / 10,
                                 deadLetters: Int(deadLetters), commitMsP50: p50, commitMsP99: p99, commitMsMax: worst)
    }

    /// Keeps the samples of the last `rateWindow`, `sample` the newest.
    static func append(_ sample: Sample, to samples: inout [Sample]) {
        samples.removeAll { $0.at.duration(to: sample.at) > rateWindow }
        samples.append(sample)
    }

    /// Messages per second of `topic` from the oldest sample to the newest (nil when either lacks
    /// it, they are under half a second apart, or the count went back: a replaced log).
    static func rate(of topic: String, over samples: [Sample]) -> Double? {
        guard let first = samples.first, let last = samples.last,
              let before = first.counts[topic], let after = last.counts[topic], after >= before else { return nil }
        let span = first.at.duration(to: last.at)
        let seconds = Double(span.components.seconds) + Double(span.components.attoseconds) / 1e18
        guard seconds >= 0.5 else { return nil }
        return (Double(after - before) / seconds * 10).rounded() / 10
    }

    /// Reads the broker's end offsets and keeps them (and their sum, for the input rate) for `group`.
    @discardableResult
    private func askBroker(_ group: String, topics: [String]) async -> ([String: [Int32: Int64]], String?, Date) {
        let (now, date) = (ContinuousClock.now, Date())
        let (ends, error) = await brokerEnds(topics)
        groups.withLock { groups in
            guard var state = groups[group] else { return }
            state.lastEnds = (now, date, ends, error)
            state.askingBroker = false
            if error == nil { Self.append(Sample(at: now, counts: ends.mapValues { $0.values.reduce(0, +) }), to: &state.ends) }
            groups[group] = state
        }
        return (ends, error, date)
    }

    /// Each topic's end offsets from the broker, within `brokerTimeout`; what failed, as text.
    private func brokerEnds(_ topics: [String]) async -> ([String: [Int32: Int64]], String?) {
        guard let endOffsets else { return ([:], "this API has no broker configured") }
        do {
            let ends = try await ReaderDatabase.withDeadline(brokerTimeout) {
                try await withThrowingTaskGroup(of: (String, [Int32: Int64]).self) { group in
                    for topic in topics { group.addTask { (topic, try await endOffsets(topic)) } }
                    var ends: [String: [Int32: Int64]] = [:]
                    for try await (topic, offsets) in group { ends[topic] = offsets }
                    return ends
                }
            }
            return (ends, nil)
        } catch is DatabaseTimeout {
            return ([:], "the broker did not answer within \(brokerTimeout)")
        } catch {
            return ([:], "the broker's end offsets could not be read: \(error)")
        }
    }
}
