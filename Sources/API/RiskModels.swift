/// Response bodies of `GET /risk/metrics/{portfolioId}` (from `api.risk_overview`, `api.risk_metrics`).
public struct RiskMetricBody: Codable, Sendable {
    public var method: String
    public var confidence: String
    public var horizonDays: Int32
    public var `var`: String
    public var expectedShortfall: String
    /// Only in the history, where rows come from many runs.
    public var computedAt: String?
    public var runId: String?
    public var portfolioValue: String?
}

public struct GreeksBody: Codable, Sendable {
    public var delta: Double?
    public var gamma: Double?
    public var vega: Double?
    public var theta: Double?
    public var rho: Double?
}

public struct RiskBody: Codable, Sendable {
    public var portfolioId: String
    /// The latest run; absent (with empty `metrics`) until the risk engine has valued the portfolio.
    public var runId: String?
    public var computedAt: String?
    public var asOf: String?
    public var portfolioValue: String?
    public var greeks: GreeksBody?
    public var metrics: [RiskMetricBody]
    /// With `history=true`: every stored result in the range, newest first.
    public var history: [RiskMetricBody]?
}
