import CoreMetrics
import Prometheus

/// Owns the process's Prometheus registry and the swift-metrics bootstrap (this target's only
/// job; it imports no service).
///
/// The services record through the swift-metrics API (`Counter`, `Timer`, `Recorder`, `Gauge`) and
/// never import Prometheus; `quant` bootstraps this exporter once per process and serves
/// `exposition()` on `/metrics`.
public struct PrometheusExporter: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let catalog: MetricCatalog

    /// Bootstraps swift-metrics with a Prometheus factory. Call once per process (swift-metrics
    /// refuses a second bootstrap).
    public static func bootstrap(catalog: MetricCatalog) -> PrometheusExporter {
        let exporter = PrometheusExporter(registry: PrometheusCollectorRegistry(), catalog: catalog)
        MetricsSystem.bootstrap(exporter.factory)
        return exporter
    }

    public init(registry: PrometheusCollectorRegistry, catalog: MetricCatalog) {
        self.registry = registry
        self.catalog = catalog
    }

    /// The factory with the buckets each quant_* histogram needs (matching is sub-microsecond,
    /// a COPY takes milliseconds, a Monte Carlo run up to seconds), as the catalog says.
    public var factory: PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = catalog.durationBuckets
        factory.valueHistogramBuckets = catalog.valueBuckets
        return factory
    }

    /// The text exposition format, with a `# HELP` line for every quant_* metric (swift-metrics has
    /// no place for help texts, so they are added here from the catalog).
    public func exposition() -> String {
        Self.addingHelp(catalog.help, to: registry.emitToString())
    }

    static func addingHelp(_ help: [String: String], to text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 4_096)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst("# TYPE ".count).prefix { $0 != " " }
                if let help = help[String(name)] { out += "# HELP \(name) \(help)\n" }
            }
            out += line
            out += "\n"
        }
        if out.hasSuffix("\n\n") { out.removeLast() }
        return out
    }
}
