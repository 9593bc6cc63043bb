/// What a target says about the metrics it records: help texts and histogram buckets by metric
/// name. Each service keeps its own catalog next to its code (`ProcessorMetrics.catalog`, …);
/// `quant` merges them into the `PrometheusExporter`.
///
/// Names follow Prometheus conventions (`_total` counters, base units such as `_seconds`), so
/// `promtool check metrics` has nothing to say about them.
public struct MetricCatalog: Sendable {
    public var help: [String: String]
    public var durationBuckets: [String: [Duration]]
    public var valueBuckets: [String: [Double]]

    public init(help: [String: String], durationBuckets: [String: [Duration]] = [:], valueBuckets: [String: [Double]] = [:]) {
        self.help = help
        self.durationBuckets = durationBuckets
        self.valueBuckets = valueBuckets
    }

    public func merging(_ other: MetricCatalog) -> MetricCatalog {
        MetricCatalog(
            help: help.merging(other.help) { a, _ in a },
            durationBuckets: durationBuckets.merging(other.durationBuckets) { a, _ in a },
            valueBuckets: valueBuckets.merging(other.valueBuckets) { a, _ in a })
    }

    /// Buckets for latencies from half a microsecond (a book command) to a millisecond.
    public static let submillisecond: [Duration] = [
        .nanoseconds(500), .microseconds(1), .microseconds(2), .microseconds(5), .microseconds(10),
        .microseconds(50), .microseconds(100), .milliseconds(1),
    ]

    /// Buckets for latencies from a quarter of a millisecond (an HTTP read, a small COPY) to seconds.
    public static let milliseconds: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(5),
    ]
}
