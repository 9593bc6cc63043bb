import MarketCore

/// A portfolio valued on one date: each position bound to its risk factor (its underlying), its
/// base price and, for options, validated pricing inputs. Revaluing under a scenario of factor
/// log returns is what every VaR method does.
///
/// Scenario moves are instantaneous: time to expiry, volatility and rates stay as on the
/// valuation date, so P&L measures market-price risk only (no theta), the same for all methods.
public struct RiskBook: Sendable {
    public let portfolio: Portfolio
    public let valuationDate: CivilDate
    /// Risk factors: the underlyings, in order of first appearance.
    public let factors: [Symbol]
    /// Price of each factor on the valuation date.
    public let spots: [Double]
    /// Value and Greeks of each position (money: scaled by quantity × multiplier; delta and gamma in underlying units).
    public let positionGreeks: [PositionGreeks]
    let legs: [Leg]

    struct Leg: Sendable {
        let factor: Int
        /// quantity × multiplier.
        let units: Double
        /// nil for a linear (equity or futures) position.
        let option: OptionParameters?
        let pricer: ScenarioPricer?
        let basePrice: Double
    }

    /// Values `portfolio` with the factor prices in `spots`.
    public init(portfolio: Portfolio, spots spotBySymbol: [Symbol: Double], valuationDate: CivilDate) throws(RiskError) {
        guard !portfolio.positions.isEmpty else { throw .emptyPortfolio }
        try RiskError.require("rate", portfolio.rate, "finite") { _ in true }
        var ids = Set<String>()
        for position in portfolio.positions where !ids.insert(position.id).inserted {
            throw .mismatchedInputs("position id \(position.id) appears twice")
        }
        let factors = portfolio.factors
        var spots: [Double] = []
        for factor in factors {
            guard let spot = spotBySymbol[factor] else { throw .missingPrices(symbol: factor.rawValue) }
            try RiskError.require("price of \(factor)", spot, "> 0") { $0 > 0 }
            spots.append(spot)
        }
        let index = Dictionary(uniqueKeysWithValues: factors.enumerated().map { ($1, $0) })
        var legs: [Leg] = []
        var greeks: [PositionGreeks] = []
        for position in portfolio.positions {
            try RiskError.require("quantity of \(position.id)", position.quantity, "finite") { _ in true }
            try RiskError.require("multiplier of \(position.id)", position.multiplier, "> 0") { $0 > 0 }
            let factor = index[position.factor]!
            let units = position.quantity * position.multiplier
            var parameters: OptionParameters?
            let unit: OptionValuation
            if let leg = position.option {
                let p = try OptionParameters(
                    right: leg.right, underlying: spots[factor], strike: leg.strike, rate: portfolio.rate,
                    dividendYield: leg.dividendYield, volatility: leg.volatility,
                    timeToExpiry: try leg.yearsToExpiry(from: valuationDate), model: leg.model
                ).validated()
                parameters = p
                unit = OptionPricer.uncheckedValuation(p)
            } else {
                unit = OptionValuation(price: spots[factor], delta: 1, gamma: 0, vega: 0, theta: 0, rho: 0)
            }
            let pricer = parameters.map(ScenarioPricer.init)
            // The base price comes from the same (batched) pricer as the scenarios, so a zero move is zero P&L.
            let basePrice = pricer?.batchedPrice(underlying: spots[factor]) ?? spots[factor]
            legs.append(Leg(factor: factor, units: units, option: parameters, pricer: pricer, basePrice: basePrice))
            greeks.append(PositionGreeks(
                id: position.id, underlying: position.factor, underlyingPrice: spots[factor],
                unitPrice: unit.price, units: units, total: unit.scaled(by: units)))
        }
        self.portfolio = portfolio
        self.valuationDate = valuationDate
        self.factors = factors
        self.spots = spots
        self.legs = legs
        self.positionGreeks = greeks
    }

    /// Values `portfolio` on its `asOf` date (default: the last date every factor has a close).
    public init(portfolio: Portfolio, history: PriceHistory) throws(RiskError) {
        guard !portfolio.positions.isEmpty else { throw .emptyPortfolio }
        let factors = portfolio.factors
        let date: CivilDate
        if let asOf = portfolio.asOf { date = asOf } else { date = try history.lastCommonDate(of: factors) }
        var spots: [Symbol: Double] = [:]
        for factor in factors {
            guard let close = history.close(of: factor, onOrBefore: date) else { throw .missingPrices(symbol: factor.rawValue) }
            spots[factor] = close
        }
        try self.init(portfolio: portfolio, spots: spots, valuationDate: date)
    }

    /// Market value of the whole book.
    public var value: Double { positionGreeks.reduce(0) { $0 + $1.total.price } }

    /// Summed value and Greeks of the positions on `underlying`.
    public func greeks(of underlying: Symbol) -> OptionValuation {
        positionGreeks.filter { $0.underlying == underlying }.reduce(.zero) { $0 + $1.total }
    }

    /// P&L of the whole book under one scenario. `movedSpots` is scratch space of `factors.count`.
    func totalPnL(factorReturns: UnsafeBufferPointer<Double>, movedSpots: inout [Double]) -> Double {
        for j in 0..<spots.count { movedSpots[j] = spots[j] * Math.exp(factorReturns[j]) }
        var total = 0.0
        for leg in legs { total += leg.units * (revaluedPrice(leg, underlying: movedSpots[leg.factor]) - leg.basePrice) }
        return total
    }

    @inline(__always) func revaluedPrice(_ leg: Leg, underlying: Double) -> Double {
        guard let pricer = leg.pricer else { return underlying }
        return pricer.batchedPrice(underlying: underlying)
    }

    /// Leg `leg`'s unit price at every underlying of `moved` (options through the batched pricer).
    func revaluedPrices(_ leg: Leg, underlyings moved: [Double], into prices: inout [Double]) {
        guard let pricer = leg.pricer else {
            prices = moved
            return
        }
        moved.withUnsafeBufferPointer { input in prices.withUnsafeMutableBufferPointer { pricer.prices(input, into: $0) } }
    }

    /// Sensitivities to the factor log returns: first derivative units·Δ·S and second derivative
    /// units·(Γ·S² + Δ·S) of each position's value, the exact Taylor terms of V(S·eʳ) at r = 0.
    func logReturnSensitivities(_ index: Int) -> (factor: Int, first: Double, second: Double) {
        let leg = legs[index]
        let s = spots[leg.factor]
        let total = positionGreeks[index].total
        return (leg.factor, total.delta * s, total.gamma * s * s + total.delta * s)
    }
}

/// Value and Greeks of one position.
public struct PositionGreeks: Sendable, Hashable, Codable {
    public var id: String
    public var underlying: Symbol
    public var underlyingPrice: Double
    /// Price of one unit (one share, or the option price per unit of underlying).
    public var unitPrice: Double
    /// quantity × multiplier.
    public var units: Double
    /// Market value (`price`) and Greeks of the whole position.
    public var total: OptionValuation
}
