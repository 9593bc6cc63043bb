import Foundation
@testable import Kafka
import Testing

/// The hand-off buffer on its own (no broker): bounds and revocation.
@Suite("consumer message buffer")
struct RDKafkaMessageBufferTests {
    func message(_ partition: KafkaPartition, _ offset: Int) -> KafkaConsumerMessage {
        KafkaConsumerMessage(topic: "t", partition: partition, offset: KafkaOffset(offset), key: nil,
                             value: Array("\(partition)/\(offset)".utf8), timestamp: nil, headers: [])
    }

    @Test("a full buffer reports no room until the iterator takes messages")
    func bound() async throws {
        let buffer = RDKafkaMessageBuffer(capacity: 8)
        #expect(buffer.waitForSpace(timeout: 0.01) == 8)
        buffer.push((0..<8).map { message(0, $0) })
        #expect(buffer.waitForSpace(timeout: 0.01) == 0)
        var iterator = KafkaConsumerMessages(buffer: buffer).makeAsyncIterator()
        #expect(try await iterator.next()?.offset == 0)
        #expect(buffer.waitForSpace(timeout: 0.01) > 0)
    }

    @Test("revoking a partition drops its messages, also those the iterator already took")
    func revocation() async throws {
        let buffer = RDKafkaMessageBuffer(capacity: 400)
        buffer.push((0..<5).flatMap { [message(0, $0), message(1, $0)] })
        var iterator = KafkaConsumerMessages(buffer: buffer).makeAsyncIterator()
        let first = try await iterator.next()
        #expect(first?.partition == 0 && first?.offset == 0)
        #expect(buffer.count == 0, "the iterator took the whole batch")
        buffer.revoke([TopicPartition("t", 1)])
        buffer.push([message(0, 5), message(1, 0)])  // partition 1 assigned again: new generation
        buffer.finish()
        var rest: [String] = []
        while let m = try await iterator.next() { rest.append(m.valueString) }
        #expect(rest == ["0/1", "0/2", "0/3", "0/4", "0/5", "1/0"])
    }
}
