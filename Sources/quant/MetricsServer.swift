import Hummingbird
import Logging
import ServiceLifecycle
import Telemetry

/// Serves `GET /metrics` (Prometheus text format) on its own port, so scraping never competes with
/// the API's routes and the processor and risk engine, which have no HTTP of their own, expose
/// metrics the same way. A `ServiceGroup` member; stops on graceful shutdown.
struct MetricsServer: Service {
    let host: String
    let port: Int
    let exporter: PrometheusExporter
    let logger: Logger

    init(exporter: PrometheusExporter, host: String, port: Int, logger: Logger) {
        self.exporter = exporter
        self.host = host
        self.port = port
        self.logger = logger
    }

    func run() async throws {
        let router = Router()
        let exporter = exporter
        router.get("metrics") { _, _ -> Response in
            ProcessMetrics.record()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: exporter.exposition())))
        }
        var appLogger = logger
        appLogger.logLevel = max(logger.logLevel, .notice)  // no line per scrape
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "quant-metrics"),
            logger: appLogger)
        logger.info("metrics on http://\(host):\(port)/metrics")
        do {
            try await app.run()
        } catch {
            // A taken port must not stop the service whose metrics these are: say so loudly and
            // keep running without /metrics until shutdown.
            logger.error("metrics server stopped; no /metrics", metadata: ["address": "\(host):\(port)", "error": "\(error)"])
            try? await gracefulShutdown()
        }
    }
}
