import Logging
import ServiceLifecycle
import Synchronization

/// Produces messages to Kafka through librdkafka, with delivery reports per message.
///
/// Messages are batched by librdkafka (`linger.ms`, `batch.size`); `send` returns once the broker
/// acknowledged the message, so awaiting many sends concurrently (or `sendAll`) is what fills batches.
/// A dedicated thread polls for delivery reports. `shutdown()` flushes, then releases librdkafka.
public final class KafkaProducer: Sendable {
    private let client: RDKafkaClient
    private let registry: RDKafkaDeliveryRegistry
    private let poller: RDKafkaPollThread
    private let configuration: KafkaProducerConfiguration
    private let logger: Logger
    private let shutDown = Mutex(false)

    /// `statistics` receives librdkafka's statistics every `statisticsIntervalMilliseconds`, on the
    /// poll thread (keep it short).
    public init(configuration: KafkaProducerConfiguration, logger: Logger = Logger(label: "kafka.producer"),
                statistics: (@Sendable (KafkaStatistics) -> Void)? = nil) throws(KafkaError) {
        let registry = RDKafkaDeliveryRegistry(logger: logger, onStatistics: statistics)
        // The registry installs the delivery report callback.
        let client = try RDKafkaClient(kind: .producer, properties: configuration.librdkafkaProperties, context: registry)
        self.client = client
        self.registry = registry
        self.configuration = configuration
        self.logger = logger
        self.poller = RDKafkaPollThread(name: "kafka-producer-poll") {
            client.poll(timeoutMilliseconds: 100)
            return true
        }
    }

    // The produce methods are `nonisolated(nonsending)`: they run on the caller's actor, so a
    // publisher loop pays no executor hop per message.

    /// Produces one record and waits for its delivery report.
    @discardableResult
    nonisolated(nonsending) public func send(_ record: KafkaProducerRecord) async throws(KafkaError) -> KafkaDeliveryReport {
        let id = try await enqueueTracked(record)
        return try await awaitReport(id)
    }

    /// Enqueues a record without waiting for its delivery report: for high-rate publishers that
    /// only need "all delivered" at checkpoints. Call `flush()` to wait for everything enqueued;
    /// failed deliveries are logged and counted in `failedDeliveries`.
    nonisolated(nonsending) public func enqueue(_ record: KafkaProducerRecord) async throws(KafkaError) {
        guard poller.isRunning else { throw .shutdown }
        try await enqueueRetrying(record, id: 0)
    }

    /// How many `enqueue`d (untracked) messages librdkafka could not deliver so far.
    public var failedDeliveries: Int { registry.untrackedFailures }

    /// Enqueues all records at once (so librdkafka batches them) and waits for every report, in order.
    /// Throws the first delivery error after all reports are in.
    nonisolated(nonsending) public func sendAll(_ records: [KafkaProducerRecord]) async throws(KafkaError) -> [KafkaDeliveryReport] {
        var ids: [UInt] = []
        ids.reserveCapacity(records.count)
        for record in records { ids.append(try await enqueueTracked(record)) }
        var reports: [KafkaDeliveryReport] = []
        var firstError: KafkaError?
        for id in ids {
            do throws(KafkaError) { reports.append(try await awaitReport(id)) } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return reports
    }

    /// Waits until every enqueued message has been delivered or has failed.
    public func flush(timeoutMilliseconds: Int? = nil) async throws(KafkaError) {
        let timeout = Int32(timeoutMilliseconds ?? configuration.flushTimeoutMilliseconds)
        try await offloaded { [client] () throws(KafkaError) in try client.flush(timeoutMilliseconds: timeout) }
    }

    /// Flushes outstanding messages (up to the flush timeout), stops polling and releases librdkafka.
    /// Messages still undelivered then fail with `KafkaError.shutdown`. Later calls do nothing.
    public func shutdown() async {
        guard shutDown.withLock({ done in defer { done = true }; return !done }) else { return }
        // After a fatal error nothing can be delivered any more: do not wait for it.
        if fatalError == nil {
            do throws(KafkaError) { try await flush() } catch {
                logger.warning("producer flush on shutdown failed", metadata: ["error": "\(error)"])
            }
        }
        await poller.stopAndWait()
        registry.failAll(.shutdown)
        client.destroy()
    }

    /// librdkafka's fatal error, if the (idempotent) producer raised one; it cannot produce after that
    /// (a broker that lost its producer state raises one: it answers the next sequence number as out
    /// of order).
    public var fatalError: KafkaError? { client.fatalError() }

    nonisolated(nonsending) private func enqueueTracked(_ record: KafkaProducerRecord) async throws(KafkaError) -> UInt {
        guard poller.isRunning else { throw .shutdown }
        let id = registry.reserve()
        do throws(KafkaError) { try await enqueueRetrying(record, id: id) } catch {
            registry.cancel(id)
            throw error
        }
        return id
    }

    /// Id 0 marks an untracked message (no report awaited).
    nonisolated(nonsending) private func enqueueRetrying(_ record: KafkaProducerRecord, id: UInt) async throws(KafkaError) {
        // librdkafka's queue (queue.buffering.max.*) is the producer's backpressure: while it is
        // full, wait for deliveries to drain it rather than failing.
        while try !client.produce(record, id: id) {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    nonisolated(nonsending) private func awaitReport(_ id: UInt) async throws(KafkaError) -> KafkaDeliveryReport {
        do { return try await registry.wait(id) } catch let error as KafkaError { throw error } catch is CancellationError {
            throw KafkaError(kind: .shutdown, code: -1, name: "CANCELLED", message: "stopped waiting for the delivery report (task cancelled)")
        } catch {
            throw KafkaError(kind: .librdkafka, code: -1, name: "UNKNOWN", message: "\(error)")
        }
    }
}

/// As a `Service` in a `ServiceGroup`, the producer flushes and shuts down on graceful shutdown or
/// cancellation. Order the group so producers stop after the services that send through them.
extension KafkaProducer: Service {
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}
