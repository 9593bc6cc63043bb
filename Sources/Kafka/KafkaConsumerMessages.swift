/// The consumer's messages, in the order librdkafka delivers them (per partition: offset order).
/// Iterate it from one task. It ends when the consumer is closed, and throws if the consumer
/// stopped on an error (a failing assignment handler or a fatal librdkafka error).
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerMessage
    let buffer: RDKafkaMessageBuffer

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: RDKafkaMessageBuffer
        public mutating func next() async throws -> KafkaConsumerMessage? { try await buffer.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}
