import CoreMetrics
import Metrics
import Prometheus
import Testing

@testable import Telemetry

@Suite struct PrometheusExporterTests {
    let catalog = MetricCatalog(
        help: ["demo_requests_total": "Requests.", "demo_latency_seconds": "Latency."],
        durationBuckets: ["demo_latency_seconds": [.milliseconds(1), .milliseconds(10)]])

    @Test func everyMetricGetsItsHelpLineBeforeItsType() {
        let exporter = PrometheusExporter(registry: PrometheusCollectorRegistry(), catalog: catalog)
        let factory = exporter.factory
        Counter(label: "demo_requests_total", dimensions: [("route", "/a")], factory: factory).increment(by: 3)
        Timer(label: "demo_latency_seconds", factory: factory).record(duration: .milliseconds(5))
        Counter(label: "undocumented_total", factory: factory).increment()
        let lines = exporter.exposition().split(separator: "\n").map(String.init)

        let type = lines.firstIndex(of: "# TYPE demo_requests_total counter")
        #expect(type != nil)
        #expect(type.map { lines[$0 - 1] } == "# HELP demo_requests_total Requests.")
        #expect(lines.contains(#"demo_requests_total{route="/a"} 3"#))
        // The catalog's buckets, in seconds: 5 ms falls in le=0.01, not le=0.001.
        #expect(lines.contains(#"demo_latency_seconds_bucket{le="0.001"} 0"#))
        #expect(lines.contains(#"demo_latency_seconds_bucket{le="0.01"} 1"#))
        #expect(!lines.contains { $0.hasPrefix("# HELP undocumented_total") })
    }

    @Test func mergingKeepsEveryName() {
        let merged = catalog.merging(MetricCatalog(help: ["other_total": "Other."]))
        #expect(Set(merged.help.keys) == ["demo_requests_total", "demo_latency_seconds", "other_total"])
        #expect(merged.durationBuckets["demo_latency_seconds"]?.count == 2)
    }
}
