import MarketCore

/// A named set of instantaneous market shocks (a stress test), e.g. "equity crash: every price
/// −20 %, volatilities +15 points". Data, not code: the standard ones live in
/// `config/stress-scenarios.yaml`, and the API accepts custom ones.
public struct StressScenario: Sendable, Hashable, Codable {
    public var name: String
    public var description: String?
    /// At most one shock for all factors (`symbol` nil) and at most one per factor symbol; a
    /// factor's own shock replaces the all-factors one entirely (the more specific wins).
    public var shocks: [StressShock]

    public init(name: String, description: String? = nil, shocks: [StressShock]) {
        self.name = name
        self.description = description
        self.shocks = shocks
    }

    /// The shock that applies to positions on `factor`, or nil when none does.
    public func shock(for factor: Symbol) -> StressShock? {
        shocks.first { $0.symbol == factor } ?? shocks.first { $0.symbol == nil }
    }

    /// Throws for an empty name, duplicate targets or out-of-range moves.
    public func validated() throws(RiskError) -> StressScenario {
        guard !name.isEmpty else { throw .mismatchedInputs("a stress scenario needs a name") }
        var targets = Set<String>()
        for shock in shocks {
            guard targets.insert(shock.symbol?.rawValue ?? "*").inserted else {
                throw .mismatchedInputs("scenario \(name) shocks \(shock.symbol?.rawValue ?? "all factors") twice")
            }
            try shock.validate()
        }
        return self
    }
}

/// One factor's (or every factor's) move. Prices move by a percentage of the spot, option
/// volatilities by absolute points (10 = +0.10), the risk-free rate by basis points.
public struct StressShock: Sendable, Hashable, Codable {
    /// The risk factor (an underlying symbol); nil for every factor.
    public var symbol: Symbol?
    /// Spot S becomes S·(1 + pricePercent/100); must be > −100.
    public var pricePercent: Double
    /// Each option's σ becomes max(0, σ + volatilityPoints/100).
    public var volatilityPoints: Double
    /// The rate r becomes r + rateBasisPoints/10 000 for options on the shocked factors.
    public var rateBasisPoints: Double

    public init(symbol: Symbol? = nil, pricePercent: Double = 0, volatilityPoints: Double = 0, rateBasisPoints: Double = 0) {
        self.symbol = symbol
        self.pricePercent = pricePercent
        self.volatilityPoints = volatilityPoints
        self.rateBasisPoints = rateBasisPoints
    }

    private enum CodingKeys: String, CodingKey { case symbol, pricePercent, volatilityPoints, rateBasisPoints }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        symbol = try container.decodeIfPresent(Symbol.self, forKey: .symbol)
        pricePercent = try container.decodeIfPresent(Double.self, forKey: .pricePercent) ?? 0
        volatilityPoints = try container.decodeIfPresent(Double.self, forKey: .volatilityPoints) ?? 0
        rateBasisPoints = try container.decodeIfPresent(Double.self, forKey: .rateBasisPoints) ?? 0
    }

    func validate() throws(RiskError) {
        let target = symbol?.rawValue ?? "all factors"
        try RiskError.require("price move of \(target) (%)", pricePercent, "> -100 and <= 10000") { $0 > -100 && $0 <= 10_000 }
        try RiskError.require("volatility move of \(target) (points)", volatilityPoints, "within ±1000") { abs($0) <= 1_000 }
        try RiskError.require("rate move of \(target) (bp)", rateBasisPoints, "within ±10000") { abs($0) <= 10_000 }
    }
}
