import Foundation
import Synchronization

/// The bounded hand-off between the consumer's poll thread and the task iterating messages.
/// The poll thread blocks (does not poll) while the buffer is full; that is the backpressure.
///
/// Messages move in batches both ways (one lock and at most one continuation per batch, not per
/// message), because waking a task per message costs more than librdkafka's whole fetch path.
/// Each message carries its partition's assignment generation; revoking a partition bumps it, so
/// messages of a revoked assignment are dropped even if the iterator already took them.
final class RDKafkaMessageBuffer: @unchecked Sendable {
    struct Entry {
        let message: KafkaConsumerMessage
        let generation: Int
    }

    // NSCondition guards every field below; the poll thread waits on it for space.
    private let condition = NSCondition()
    private var items: [Entry] = []
    private var head = 0
    private var waiter: CheckedContinuation<[Entry], any Error>?
    private var finished = false
    private var failure: (any Error)?
    private var generations: [TopicPartition: Int] = [:]
    /// Bumped on every revocation, readable without the lock so iterators notice cheaply.
    private let revocations = Atomic<Int>(0)
    let capacity: Int
    /// The most an iterator takes at once.
    let batchSize: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        self.batchSize = max(1, min(256, capacity / 4))
    }

    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count - head
    }

    /// Poll thread: waits up to `timeout` for room; returns how many messages fit now (0: none).
    func waitForSpace(timeout: TimeInterval) -> Int {
        condition.lock()
        defer { condition.unlock() }
        if finished { return capacity }
        if items.count - head >= capacity {
            _ = condition.wait(until: Date(timeIntervalSinceNow: timeout))
        }
        return finished ? capacity : max(0, capacity - (items.count - head))
    }

    /// Poll thread: hands messages to a waiting iterator or buffers them.
    func push(_ messages: [KafkaConsumerMessage]) {
        guard !messages.isEmpty else { return }
        condition.lock()
        if finished {
            condition.unlock()
            return
        }
        let entries = messages.map { Entry(message: $0, generation: generations[$0.topicPartition] ?? 0) }
        if let waiter, head == items.count {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: entries)
            return
        }
        items.append(contentsOf: entries)
        condition.unlock()
    }

    /// Poll thread, on revocation: drops buffered messages of these partitions and invalidates any
    /// an iterator already holds (their new owner reads them again).
    func revoke(_ partitions: Set<TopicPartition>) {
        condition.lock()
        for p in partitions { generations[p, default: 0] += 1 }
        items = items[head...].filter { !partitions.contains($0.message.topicPartition) }
        head = 0
        revocations.add(1, ordering: .releasing)
        condition.signal()
        condition.unlock()
    }

    var revocationCount: Int { revocations.load(ordering: .acquiring) }

    /// Iterator: keeps only entries whose partition was not revoked since they were buffered.
    func stillAssigned(_ entries: ArraySlice<Entry>) -> [Entry] {
        condition.lock()
        defer { condition.unlock() }
        return entries.filter { (generations[$0.message.topicPartition] ?? 0) == $0.generation }
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
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume(returning: []) }
    }

    /// Iterator: up to `batchSize` messages, waiting for at least one; empty means the end.
    func nextBatch() async throws -> [Entry] {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                condition.lock()
                if head < items.count {
                    let end = min(items.count, head + batchSize)
                    let batch = Array(items[head..<end])
                    head = end
                    if head == items.count {
                        items.removeAll(keepingCapacity: true)
                        head = 0
                    } else if head >= 4096 {
                        items.removeFirst(head)
                        head = 0
                    }
                    condition.signal()
                    condition.unlock()
                    continuation.resume(returning: batch)
                } else if finished {
                    let failure = self.failure
                    condition.unlock()
                    if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: []) }
                } else if Task.isCancelled {
                    condition.unlock()
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiter = continuation
                    condition.signal()
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
