/// How a VaR/ES figure was computed.
public enum VaRMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case historical
    case parametric
    case monteCarlo = "montecarlo"
}

/// VaR and ES of a portfolio at one confidence and horizon, with each position's share.
/// All amounts are losses in the portfolio's currency (positive = loss).
public struct RiskMeasure: Sendable, Hashable, Codable {
    public var method: VaRMethod
    /// The variant used, e.g. `delta-normal`, `delta-gamma-cornish-fisher`, `full-revaluation`.
    public var model: String
    public var confidence: Double
    public var horizonDays: Int
    public var valueAtRisk: Double
    public var expectedShortfall: Double
    /// Number of scenarios (historical, Monte Carlo); nil for parametric.
    public var scenarios: Int?
    /// Component VaR and ES per position; each column sums to the total.
    public var contributions: [PositionContribution]
}

/// One position's component of a portfolio's VaR and ES (Euler allocation).
public struct PositionContribution: Sendable, Hashable, Codable {
    public var id: String
    public var valueAtRisk: Double
    public var expectedShortfall: Double
    /// ES of the portfolio minus ES without this position (scenario methods only; nil for parametric).
    /// Unlike the components these do not sum to the total: they price removing one position.
    public var incrementalExpectedShortfall: Double?

    public init(id: String, valueAtRisk: Double, expectedShortfall: Double, incrementalExpectedShortfall: Double? = nil) {
        self.id = id
        self.valueAtRisk = valueAtRisk
        self.expectedShortfall = expectedShortfall
        self.incrementalExpectedShortfall = incrementalExpectedShortfall
    }
}
