import CRdKafka
import Logging
import Synchronization

/// Matches librdkafka's delivery reports (served on the producer's poll thread) to the tasks
/// awaiting them. A report may arrive before its task starts waiting, so results are parked.
final class RDKafkaDeliveryRegistry: RDKafkaCallbackContext, @unchecked Sendable {
    private enum Slot {
        case pending
        case waiting(CheckedContinuation<KafkaDeliveryReport, any Error>)
        case done(Result<KafkaDeliveryReport, KafkaError>)
    }

    override func install(on conf: OpaquePointer) {
        super.install(on: conf)
        rd_kafka_conf_set_dr_msg_cb(conf, rdkafkaDeliveryCallback)
    }

    private let slots = Mutex<(nextID: UInt, slots: [UInt: Slot])>((1, [:]))
    private let failures = Mutex(0)

    var untrackedFailures: Int { failures.withLock { $0 } }

    /// A message enqueued without an id failed: nobody awaits it, so log and count.
    func untrackedFailed(_ error: KafkaError) {
        failures.withLock { $0 += 1 }
        logger.error("message not delivered", metadata: ["error": "\(error)"])
    }

    /// Reserves an id to pass as the message opaque.
    func reserve() -> UInt {
        slots.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.slots[id] = .pending
            return id
        }
    }

    func cancel(_ id: UInt) { _ = slots.withLock { $0.slots.removeValue(forKey: id) } }

    var outstanding: Int { slots.withLock { $0.slots.count } }

    /// Waits for the report of a reserved and enqueued message. A cancelled wait ends at once with
    /// `CancellationError` and forgets the id: librdkafka may still deliver the message, unseen (a
    /// stop must not wait out `message.timeout.ms` for a broker that is down; found by the chaos
    /// campaign, docs/reliability.md).
    func wait(_ id: UInt) async throws -> KafkaDeliveryReport {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready: Result<KafkaDeliveryReport, any Error>? = slots.withLock { state in
                    if case .done(let result) = state.slots[id] {
                        state.slots[id] = nil
                        return result.mapError { $0 }
                    }
                    // Checked under the lock the cancellation handler takes: no cancel slips between.
                    if Task.isCancelled {
                        state.slots[id] = nil
                        return .failure(CancellationError())
                    }
                    state.slots[id] = .waiting(continuation)
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiting: CheckedContinuation<KafkaDeliveryReport, any Error>? = slots.withLock { state in
                guard case .waiting(let continuation) = state.slots[id] else { return nil }
                state.slots[id] = nil
                return continuation
            }
            waiting?.resume(throwing: CancellationError())
        }
    }

    /// Called from the delivery report callback.
    func complete(_ id: UInt, _ result: Result<KafkaDeliveryReport, KafkaError>) {
        let continuation: CheckedContinuation<KafkaDeliveryReport, any Error>? = slots.withLock { state in
            switch state.slots[id] {
            case .waiting(let c):
                state.slots[id] = nil
                return c
            case .pending:
                state.slots[id] = .done(result)
                return nil
            case .done, nil:
                return nil
            }
        }
        continuation?.resume(with: result)
    }

    /// Fails every message still awaiting a report (after shutdown, none will come).
    func failAll(_ error: KafkaError) {
        let waiting = slots.withLock { state in
            var waiting: [CheckedContinuation<KafkaDeliveryReport, any Error>] = []
            for (id, slot) in state.slots {
                switch slot {
                case .waiting(let c):
                    waiting.append(c)
                    state.slots[id] = nil
                case .pending: state.slots[id] = .done(.failure(error))
                case .done: break
                }
            }
            return waiting
        }
        for c in waiting { c.resume(throwing: error) }
    }
}

/// `dr_msg_cb`: runs inside rd_kafka_poll/rd_kafka_flush on the producer's poll thread.
private let rdkafkaDeliveryCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?)
    -> Void = { _, message, opaque in
        guard let message, let opaque else { return }
        let registry = Unmanaged<RDKafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
        guard let registry = registry as? RDKafkaDeliveryRegistry else { return }
        let m = message.pointee
        guard let id = m._private.map({ UInt(bitPattern: $0) }) else {
            if m.err != RD_KAFKA_RESP_ERR_NO_ERROR { registry.untrackedFailed(.librdkafka(m.err, "delivery")) }
            return
        }
        if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            registry.complete(id, .failure(.librdkafka(m.err, "delivery")))
        } else {
            let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
            registry.complete(id, .success(KafkaDeliveryReport(
                topicPartition: TopicPartition(topic, KafkaPartition(rawValue: m.partition)),
                offset: KafkaOffset(rawValue: m.offset))))
        }
    }
