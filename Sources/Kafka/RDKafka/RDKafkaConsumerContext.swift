import CRdKafka
import Dispatch
import Logging
import Synchronization

/// State the consumer's rebalance callback needs. Everything here runs on the poll thread,
/// except `stopError`, which the loop reads after each poll.
final class RDKafkaConsumerContext: RDKafkaCallbackContext, @unchecked Sendable {
    let handler: KafkaRebalanceHandler
    let buffer: RDKafkaMessageBuffer
    /// Set when the consumer must stop (assignment handler failed, fatal error).
    let stopError = Mutex<KafkaError?>(nil)
    /// Used by the poll thread only.
    let reader = RDKafkaMessage.Reader()
    /// High watermarks of the assigned partitions as the last fetch responses reported them,
    /// refreshed by the poll thread (the only thread that may touch the handle while it lives).
    let highWatermarks = Mutex<[TopicPartition: KafkaOffset]>([:])
    /// Poll thread only: when `highWatermarks` was last refreshed.
    var watermarksReadAt = ContinuousClock.now
    /// Poll thread only: the topic ids of the assignment, verified after every consumer error.
    let logGuard: RDKafkaLogGuard

    init(logger: Logger, handler: KafkaRebalanceHandler, buffer: RDKafkaMessageBuffer,
         onStatistics: (@Sendable (KafkaStatistics) -> Void)?) {
        self.handler = handler
        self.buffer = buffer
        self.logGuard = RDKafkaLogGuard(logger: logger)
        super.init(logger: logger, onStatistics: onStatistics)
    }

    override func install(on conf: OpaquePointer) {
        super.install(on: conf)
        rd_kafka_conf_set_rebalance_cb(conf, rdkafkaRebalanceCallback)
        // Client-level errors (all brokers down, a dropped connection) arrive here, in order with
        // the fetched messages, never as messages of `rd_kafka_consumer_poll`.
        rd_kafka_conf_set_error_cb(conf, rdkafkaConsumerErrorCallback)
    }

    func rebalance(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t,
                   _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        let partitions = RDKafkaTopicPartitionList.read(list).map(\.topicPartition)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let assignment = KafkaAssignment(
                partitions: partitions, topicIDs: logGuard.describeForAssignment(rk, topics: Set(partitions.map(\.topic))))
            let result = runBlocking { [handler] in try await handler.assigned(assignment) }
            let error: KafkaError?
            switch result {
            case .success(let offsets):
                for i in 0..<Int(list.pointee.cnt) {
                    let e = list.pointee.elems[i]
                    let tp = TopicPartition(String(cString: e.topic), KafkaPartition(rawValue: e.partition))
                    list.pointee.elems[i].offset = (offsets[tp] ?? .invalid).rawValue
                }
                logger.info("partitions assigned", metadata: [
                    "partitions": "\(RDKafkaTopicPartitionList.read(list).map(\.description))",
                ])
                error = nil
            case .failure(let failure):
                error = failure as? KafkaError
                    ?? KafkaError(kind: .application, code: 0, name: "ASSIGNMENT_HANDLER", message: "\(failure)")
            }
            let assignError = cooperative ? takeError(rd_kafka_incremental_assign(rk, list)) : rdError(rd_kafka_assign(rk, list))
            if let error = error ?? assignError {
                // Stop without consuming anything from a position the application did not approve.
                _ = rd_kafka_pause_partitions(rk, list)
                fail(error)
            } else {
                logGuard.assigned(rk, partitions, expecting: assignment.expectedLogs)
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            buffer.revoke(Set(partitions))
            _ = runBlocking { [handler] in await handler.revoked(partitions) }
            logger.info("partitions revoked", metadata: ["partitions": "\(partitions.map(\.description))"])
            if let error = cooperative ? takeError(rd_kafka_incremental_unassign(rk, list)) : rdError(rd_kafka_assign(rk, nil)) {
                fail(error)
            }
        default:
            logger.error("rebalance error", metadata: ["error": "\(KafkaError.librdkafka(err))"])
            _ = cooperative ? takeError(rd_kafka_incremental_unassign(rk, list)) : rdError(rd_kafka_assign(rk, nil))
        }
    }

    func fail(_ error: KafkaError) {
        logger.error("consumer stopping", metadata: ["error": "\(error)"])
        stopError.withLock { $0 = $0 ?? error }
        buffer.finish(error: error)
    }

    private func rdError(_ err: rd_kafka_resp_err_t) -> KafkaError? {
        err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : .librdkafka(err, "assign")
    }

    private func takeError(_ error: OpaquePointer?) -> KafkaError? {
        guard let error else { return nil }
        defer { rd_kafka_error_destroy(error) }
        return .librdkafka(rd_kafka_error_code(error), "assign", detail: String(cString: rd_kafka_error_string(error)))
    }
}

/// Runs async application code from the poll thread and waits for it. Blocking is fine here:
/// the poll thread is a dedicated OS thread, never one of the cooperative pool's.
private func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
    let box = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        box.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    return box.withLock { $0! }
}

/// `rebalance_cb`: librdkafka calls it from rd_kafka_consumer_poll / rd_kafka_consumer_close.
private let rdkafkaRebalanceCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t,
                                                      UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
                                                      UnsafeMutableRawPointer?) -> Void = { rk, err, list, opaque in
    guard let rk, let list, let opaque else { return }
    let context = Unmanaged<RDKafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
    (context as? RDKafkaConsumerContext)?.rebalance(rk, err, list)
}

/// `error_cb`: served by the poll thread's `rd_kafka_consumer_poll`, in queue order with the fetched
/// messages. A fatal error stops the consumer; any other may mean the broker restarted or a topic
/// went away, so the log guard pauses fetching until the topics' ids are verified.
private let rdkafkaConsumerErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?)
    -> Void = { rk, code, reason, opaque in
        guard let rk, let opaque,
              let context = Unmanaged<RDKafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue() as? RDKafkaConsumerContext
        else { return }
        let err = rd_kafka_resp_err_t(code)
        let error = KafkaError.librdkafka(err, "broker", detail: reason.map { String(cString: $0) })
        if err == RD_KAFKA_RESP_ERR__FATAL {
            var errstr = [CChar](repeating: 0, count: 512)
            let fatal = rd_kafka_fatal_error(rk, &errstr, errstr.count)
            context.fail(.librdkafka(fatal, "fatal", detail: String(cBuffer: errstr)))
            return
        }
        context.logger.warning("consumer error", metadata: ["error": "\(error)"])
        context.logGuard.suspect(rk, because: error)
    }
