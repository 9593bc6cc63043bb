/// The consumer's messages, in the order librdkafka delivers them (per partition: offset order).
/// Iterate it from one task. It ends when the consumer is closed, and throws if the consumer
/// stopped on an error (a failing assignment handler or a fatal librdkafka error).
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerMessage
    public typealias Failure = any Error
    let buffer: RDKafkaMessageBuffer

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: RDKafkaMessageBuffer
        // The iterator takes messages from the buffer in batches and hands them out one by one.
        var batch: [RDKafkaMessageBuffer.Entry] = []
        var index = 0
        var revocationsSeen = 0

        /// True when every message fetched so far has been handed out: the consumer has caught up
        /// with what the broker sent, and waiting for more would wait for the broker. Costs a lock
        /// only at the end of a batch.
        public var isCaughtUp: Bool { index >= batch.count && buffer.count == 0 }

        public mutating func next() async throws -> KafkaConsumerMessage? {
            try await next(isolation: nil)
        }

        /// Runs on the caller's actor: messages of the current batch come without any suspension
        /// or executor hop (a hop per message would cost more than librdkafka's whole fetch path).
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> KafkaConsumerMessage? {
            while true {
                if index < batch.count {
                    if buffer.revocationCount != revocationsSeen {
                        // A partition was revoked since this batch was taken: drop its messages.
                        revocationsSeen = buffer.revocationCount
                        batch = buffer.stillAssigned(batch[index...])
                        index = 0
                        continue
                    }
                    index += 1
                    return batch[index - 1].message
                }
                revocationsSeen = buffer.revocationCount
                batch = try await buffer.nextBatch()
                index = 0
                if batch.isEmpty { return nil }
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}
