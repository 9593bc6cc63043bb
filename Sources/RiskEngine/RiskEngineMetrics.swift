import Metrics
import Telemetry

/// What the risk engine records (swift-metrics; `quant risk-engine` exports it as Prometheus on
/// `metrics.riskEnginePort`).
public enum RiskEngineMetrics {
    static let computationDuration = "quant_risk_computation_duration_seconds"
    static let portfolioRuns = "quant_risk_portfolio_runs_total"
    static let cycleDuration = "quant_risk_cycle_duration_seconds"

    public static let catalog = MetricCatalog(
        help: [
            computationDuration: "Time of one risk computation for one portfolio, by method (historical, parametric, monte_carlo).",
            portfolioRuns: "Portfolio valuations, by outcome (stored, skipped, failed).",
            cycleDuration: "Time of one risk-engine cycle over the portfolios it had to value.",
        ],
        durationBuckets: [computationDuration: MetricCatalog.milliseconds])

    static func computed(method: String, duration: Duration) {
        Timer(label: computationDuration, dimensions: [("method", method)]).record(duration: duration)
    }

    static func valued(outcome: String) {
        Counter(label: portfolioRuns, dimensions: [("outcome", outcome)]).increment()
    }

    static func cycle(duration: Duration) {
        Timer(label: cycleDuration).record(duration: duration)
    }
}
