import Foundation

/// The bounded hand-off between the consumer's poll thread and the task iterating messages.
/// The poll thread blocks (does not poll) while the buffer is full; that is the backpressure.
final class RDKafkaMessageBuffer: @unchecked Sendable {
    // NSCondition guards every field below; the poll thread waits on it for space.
    private let condition = NSCondition()
    private var items: [KafkaConsumerMessage] = []
    private var head = 0
    private var waiter: CheckedContinuation<KafkaConsumerMessage?, any Error>?
    private var finished = false
    private var failure: (any Error)?
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count - head
    }

    /// Poll thread: waits up to `timeout` for room for one more message; returns whether there is room.
    func waitForSpace(timeout: TimeInterval) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if items.count - head < capacity || finished { return true }
        _ = condition.wait(until: Date(timeIntervalSinceNow: timeout))
        return items.count - head < capacity || finished
    }

    /// Poll thread: hands a message to a waiting iterator or buffers it.
    func push(_ message: KafkaConsumerMessage) {
        condition.lock()
        if finished {
            condition.unlock()
            return
        }
        if let waiter {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: message)
            return
        }
        items.append(message)
        condition.unlock()
    }

    /// Drops buffered messages of partitions this consumer no longer owns.
    func remove(partitions: Set<TopicPartition>) {
        condition.lock()
        items = items[head...].filter { !partitions.contains($0.topicPartition) }
        head = 0
        condition.signal()
        condition.unlock()
    }

    /// Ends the sequence: buffered messages are still delivered, then nil (or the error) follows.
    func finish(error: (any Error)? = nil) {
        condition.lock()
        if finished {
            condition.unlock()
            return
        }
        finished = true
        failure = error
        let waiter = self.waiter
        self.waiter = nil
        condition.broadcast()
        condition.unlock()
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume(returning: nil) }
    }

    /// The iterating task: the next message, waiting for one if needed.
    func next() async throws -> KafkaConsumerMessage? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                condition.lock()
                if head < items.count {
                    let message = items[head]
                    head += 1
                    if head >= 1024 && head * 2 >= items.count {  // compact now and then
                        items.removeFirst(head)
                        head = 0
                    }
                    condition.signal()
                    condition.unlock()
                    continuation.resume(returning: message)
                } else if finished {
                    let failure = self.failure
                    condition.unlock()
                    if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
                } else if Task.isCancelled {
                    condition.unlock()
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiter = continuation
                    condition.unlock()
                }
            }
        } onCancel: {
            condition.lock()
            let waiter = self.waiter
            self.waiter = nil
            condition.unlock()
            waiter?.resume(throwing: CancellationError())
        }
    }
}
