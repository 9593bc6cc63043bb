import API
import Logging
import Processor
import QuantConfig
import RiskEngine
import Store
import ServiceLifecycle
import Telemetry

/// Bootstraps swift-metrics with Prometheus and returns the `/metrics` server for a service's
/// `ServiceGroup`, or nothing when its port is 0. Bootstrapping happens even then, so the metrics
/// are recorded the same way whether or not anybody scrapes them.
enum MetricsService {
    static func make(port: Int, settings: QuantSettings, logger: Logger) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let exporter = PrometheusExporter.bootstrap(catalog: catalog)
        guard port > 0 else { return [] }
        return [.init(service: MetricsServer(exporter: exporter, host: settings.metrics.host, port: port, logger: logger))]
    }

    /// Every metric any service records, so each process's help texts are complete.
    static let catalog = StoreMetrics.catalog
        .merging(ProcessorMetrics.catalog)
        .merging(RiskEngineMetrics.catalog)
        .merging(APIMetrics.catalog)
        .merging(ProcessMetrics.catalog)
}
