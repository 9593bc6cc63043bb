import MarketCore

/// Stress tests by full revaluation: every position is repriced after its factor's shock
/// (options through `OptionPricer` with the shocked spot, volatility and rate; linear positions
/// at the shocked spot), and its P&L is the change from its value on the valuation date. Time
/// does not pass, like the VaR scenarios of `RiskBook`.
public enum StressTest {
    /// One scenario's outcome for the whole book, with each position's share.
    public struct Result: Sendable, Hashable, Codable {
        public var scenario: String
        public var description: String?
        /// The scenario's shocks, as applied.
        public var shocks: [StressShock]
        /// Book value before and after the shocks; `pnl` = `stressedValue` − `baseValue`.
        public var baseValue: Double
        public var stressedValue: Double
        public var pnl: Double
        public var positions: [PositionResult]
    }

    public struct PositionResult: Sendable, Hashable, Codable {
        public var id: String
        public var underlying: Symbol
        public var baseValue: Double
        public var stressedValue: Double
        public var pnl: Double
    }

    /// Applies each scenario to `book`; results in the order of `scenarios`.
    public static func run(book: RiskBook, scenarios: [StressScenario]) throws(RiskError) -> [Result] {
        var results: [Result] = []
        results.reserveCapacity(scenarios.count)
        for scenario in scenarios { results.append(try run(book: book, scenario: scenario)) }
        return results
    }

    public static func run(book: RiskBook, scenario: StressScenario) throws(RiskError) -> Result {
        let scenario = try scenario.validated()
        var positions: [PositionResult] = []
        positions.reserveCapacity(book.legs.count)
        for (index, leg) in book.legs.enumerated() {
            let factor = book.factors[leg.factor]
            let shock = scenario.shock(for: factor) ?? StressShock()
            let spot = book.spots[leg.factor] * (1 + shock.pricePercent / 100)
            var price = spot
            if var option = leg.option {
                option.underlying = spot
                option.volatility = max(0, option.volatility + shock.volatilityPoints / 100)
                option.rate += shock.rateBasisPoints / 10_000
                // The batched pricer, as the book's base price: no shock is no P&L, exactly.
                price = ScenarioPricer(option).batchedPrice(underlying: spot)
            }
            let base = leg.units * leg.basePrice
            let stressed = leg.units * price
            guard stressed.isFinite else {
                throw .invalidParameter(name: "stressed value of \(book.positionGreeks[index].id)", value: stressed, requirement: "finite")
            }
            positions.append(PositionResult(
                id: book.positionGreeks[index].id, underlying: factor, baseValue: base, stressedValue: stressed, pnl: stressed - base))
        }
        let base = positions.reduce(0) { $0 + $1.baseValue }
        let stressed = positions.reduce(0) { $0 + $1.stressedValue }
        return Result(
            scenario: scenario.name, description: scenario.description, shocks: scenario.shocks, baseValue: base, stressedValue: stressed,
            pnl: positions.reduce(0) { $0 + $1.pnl }, positions: positions)
    }
}
