/// What the application does when the group gives it partitions or takes them away.
///
/// Both run on the consumer's poll thread, which waits for them: nothing is fetched for the
/// partitions until `assigned` has returned their starting offsets, and `revoked` can finish
/// (flush a batch, store offsets) before the partitions move to another member.
public struct KafkaRebalanceHandler: Sendable {
    /// Given the newly assigned partitions, returns where to start each one, typically the next
    /// offsets stored by the application (in our case in PostgreSQL). Partitions left out start at the
    /// offset committed in Kafka, else at `auto.offset.reset`. If it throws, the consumer stops and
    /// its message sequence throws that error: consuming from an unknown position would break
    /// exactly-once processing.
    public var assigned: @Sendable ([TopicPartition]) async throws -> [TopicPartition: KafkaOffset]
    /// Called before revoked partitions are given up. Buffered messages of those partitions have
    /// already been dropped from the consumer's buffer (their new owner will read them again).
    public var revoked: @Sendable ([TopicPartition]) async -> Void

    public init(
        assigned: @escaping @Sendable ([TopicPartition]) async throws -> [TopicPartition: KafkaOffset] = { _ in [:] },
        revoked: @escaping @Sendable ([TopicPartition]) async -> Void = { _ in }
    ) {
        self.assigned = assigned
        self.revoked = revoked
    }
}
