import CRdKafka
import Logging

/// Owns one `rd_kafka_t` and the context its C callbacks reach through the conf opaque.
/// librdkafka handles are thread-safe; `destroy()` must be called exactly once, after the
/// owner has stopped its poll thread.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind { case producer, consumer }

    let handle: OpaquePointer
    /// Kept alive as long as the handle: C callbacks dereference it.
    let context: RDKafkaCallbackContext

    /// The context installs the C callbacks it serves on the conf before the handle is created.
    init(kind: Kind, properties: [String: String], context: RDKafkaCallbackContext) throws(KafkaError) {
        let conf = try RDKafkaConfig.make(properties)
        self.context = context
        context.install(on: conf)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, conf, &errstr, errstr.count)
        else {
            rd_kafka_conf_destroy(conf)  // rd_kafka_new only takes ownership on success
            throw KafkaError(kind: .configuration, code: 0, name: "CONFIGURATION", message: String(cBuffer: errstr))
        }
        self.handle = rk
    }

    func destroy() {
        rd_kafka_destroy(handle)
    }

    /// The fatal error of an idempotent producer or a consumer, if one was raised.
    func fatalError() -> KafkaError? {
        var errstr = [CChar](repeating: 0, count: 512)
        let err = rd_kafka_fatal_error(handle, &errstr, errstr.count)
        return err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : .librdkafka(err, "fatal", detail: String(cBuffer: errstr))
    }
}

/// What the C callbacks of one client need. Subclassed by the producer and the consumer.
class RDKafkaCallbackContext: @unchecked Sendable {
    let logger: Logger
    /// Receives librdkafka's statistics (on the poll thread) when `statistics.interval.ms` > 0.
    let onStatistics: (@Sendable (KafkaStatistics) -> Void)?
    init(logger: Logger, onStatistics: (@Sendable (KafkaStatistics) -> Void)? = nil) {
        self.logger = logger
        self.onStatistics = onStatistics
    }

    /// Points the conf's opaque at this context and sets the callbacks it serves. Subclasses
    /// call super first, then add their own.
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_log_cb(conf, rdkafkaLogCallback)
        if onStatistics != nil { rd_kafka_conf_set_stats_cb(conf, rdkafkaStatisticsCallback) }
    }

    static func from(_ rk: OpaquePointer?) -> RDKafkaCallbackContext? {
        guard let rk, let opaque = rd_kafka_opaque(rk) else { return nil }
        return Unmanaged<RDKafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}

/// librdkafka's log lines go to swift-log with the facility as metadata (syslog levels 0...7).
private let rdkafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?)
    -> Void = { rk, level, facility, text in
        guard let context = RDKafkaCallbackContext.from(rk) else { return }
        let swiftLevel: Logger.Level =
            switch level {
            case ...2: .critical
            case 3: .error
            case 4: .warning
            case 5: .notice
            case 6: .info
            default: .debug
            }
        context.logger.log(
            level: swiftLevel, "\(text.map { String(cString: $0) } ?? "")",
            metadata: ["librdkafka.facility": "\(facility.map { String(cString: $0) } ?? "")"])
    }

/// `stats_cb`: served by the poll thread's `rd_kafka_poll` / `rd_kafka_consumer_poll`. Returning 0
/// lets librdkafka free the JSON.
private let rdkafkaStatisticsCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int, UnsafeMutableRawPointer?)
    -> Int32 = { rk, json, length, _ in
        guard let context = RDKafkaCallbackContext.from(rk), let handler = context.onStatistics, let json else { return 0 }
        let bytes = UnsafeRawBufferPointer(start: json, count: length)
        do {
            handler(try KafkaStatistics(json: bytes))
        } catch {
            context.logger.warning("unreadable librdkafka statistics", metadata: ["error": "\(error)"])
        }
        return 0
    }
