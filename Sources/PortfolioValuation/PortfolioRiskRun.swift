import Risk

/// The result of valuing one portfolio: what one transaction stores.
public struct PortfolioRiskRun: Sendable {
    public var portfolioID: String
    /// The inputs' as-of date: the last day on which every risk factor has a close.
    public var valuationDate: CivilDate
    public var value: Double
    /// The look-back window of daily returns actually used.
    public var returnsUsed: Int
    public var firstReturnDate: CivilDate?
    public var lastReturnDate: CivilDate?
    /// Value and Greeks of each position (ids are the instruments' symbols).
    public var positions: [PositionGreeks]
    /// The volatility each option was priced with, by symbol.
    public var volatilities: [String: OptionVolatility]
    /// One per method × horizon × confidence.
    public var measures: [RiskMeasure]
    /// One per standard stress scenario (`risk.stressScenarios`), in the file's order.
    public var stress: [StressTest.Result] = []
    /// Beta to `risk.betaIndex`; nil when none is configured or it cannot be estimated (`betaNote` says why).
    public var beta: PortfolioBeta?
    public var betaNote: String?

    /// The portfolio's Greeks: the sum of its positions' (delta and gamma in units of each underlying,
    /// so the sums mean most for a book on one underlying; see docs/risk.md).
    public var greeks: OptionValuation {
        positions.reduce(OptionValuation(price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0)) { sum, position in
            let g = position.total
            return OptionValuation(
                price: sum.price + g.price, delta: sum.delta + g.delta, gamma: sum.gamma + g.gamma,
                vega: sum.vega + g.vega, theta: sum.theta + g.theta, rho: sum.rho + g.rho)
        }
    }

    func checkFinite() throws(RiskEngineError) {
        let g = greeks
        for (name, value) in [("value", value), ("delta", g.delta), ("gamma", g.gamma), ("vega", g.vega),
                              ("theta", g.theta), ("rho", g.rho)] where !value.isFinite {
            throw .nonFiniteResult("\(name) = \(value)")
        }
        for m in measures {
            let numbers = [m.valueAtRisk, m.expectedShortfall] + m.contributions.flatMap { [$0.valueAtRisk, $0.expectedShortfall] }
            if numbers.contains(where: { !$0.isFinite }) {
                throw .nonFiniteResult("\(m.method.storedName) VaR/ES at \(m.confidence), \(m.horizonDays) days")
            }
        }
        for result in stress where !result.pnl.isFinite || !result.stressedValue.isFinite {
            throw .nonFiniteResult("stress scenario \(result.scenario)")
        }
    }
}

/// The volatility an option was priced with and where it came from.
public struct OptionVolatility: Sendable, Hashable, Codable {
    public enum Source: String, Sendable, Hashable, Codable { case implied, `default` }
    public var value: Double
    public var source: Source
    /// The quote mid the volatility was implied from (or failed to be).
    public var quoteMid: Double?
    /// Why a quote mid gave no implied volatility.
    public var note: String?
}
