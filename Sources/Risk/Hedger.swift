import MarketCore

/// A trade proposed to hedge a book.
public struct HedgeTrade: Sendable, Hashable, Codable {
    public var symbol: Symbol
    /// Signed quantity in the instrument's own units (shares, or option contracts).
    public var quantity: Double
    public var multiplier: Double
    /// Price per unit of underlying (share price or option price).
    public var unitPrice: Double
}

/// Trades that neutralise a book's delta (and gamma) on one underlying, and what is left.
public struct HedgeProposal: Sendable, Hashable, Codable {
    public var underlying: Symbol
    public var trades: [HedgeTrade]
    /// Value and Greeks of the positions on `underlying` before and after the trades (delta and
    /// gamma in units of the underlying; vega, theta, rho in money; see `OptionValuation`).
    public var before: OptionValuation
    public var after: OptionValuation
}

/// Hedge proposals on a valued book.
public enum Hedger {
    /// Sells (or buys) −Δ of the underlying, leaving delta ≈ 0; gamma, vega, theta and rho unchanged.
    public static func deltaNeutral(book: RiskBook, underlying: Symbol) throws(RiskError) -> HedgeProposal {
        guard let factor = book.factors.firstIndex(of: underlying) else { throw .missingPrices(symbol: underlying.rawValue) }
        let before = book.greeks(of: underlying)
        let spot = book.spots[factor]
        let shares = -before.delta
        let hedge = OptionValuation(price: spot, delta: 1, gamma: 0, vega: 0, theta: 0, rho: 0).scaled(by: shares)
        return HedgeProposal(
            underlying: underlying,
            trades: [HedgeTrade(symbol: underlying, quantity: shares, multiplier: 1, unitPrice: spot)],
            before: before, after: before + hedge)
    }

    /// Buys n contracts of `option` to cancel gamma (n = −Γ / Γ_contract), then the underlying to
    /// cancel the delta that remains (−(Δ + n·Δ_contract)). The option's quantity is ignored; its
    /// underlying must be `underlying` and it is priced with the book's rate and valuation date.
    public static func deltaGammaNeutral(
        book: RiskBook, underlying: Symbol, option: RiskPosition
    ) throws(RiskError) -> HedgeProposal {
        guard let leg = option.option, leg.underlying == underlying else {
            throw .hedgeImpossible("the hedge instrument must be an option on \(underlying)")
        }
        guard let factor = book.factors.firstIndex(of: underlying) else { throw .missingPrices(symbol: underlying.rawValue) }
        try RiskError.require("multiplier of \(option.id)", option.multiplier, "> 0") { $0 > 0 }
        let spot = book.spots[factor]
        let unit = try OptionPricer.valuation(OptionParameters(
            right: leg.right, underlying: spot, strike: leg.strike, rate: book.portfolio.rate,
            dividendYield: leg.dividendYield, volatility: leg.volatility,
            timeToExpiry: try leg.yearsToExpiry(from: book.valuationDate), model: leg.model))
        let contract = unit.scaled(by: option.multiplier)
        guard abs(contract.gamma) > 1e-12 * max(1, abs(contract.delta)) else {
            throw .hedgeImpossible("\(option.id) has no gamma (expired or zero volatility)")
        }
        let before = book.greeks(of: underlying)
        let contracts = -before.gamma / contract.gamma
        let afterOption = before + contract.scaled(by: contracts)
        let shares = -afterOption.delta
        let after = afterOption + OptionValuation(price: spot, delta: 1, gamma: 0, vega: 0, theta: 0, rho: 0).scaled(by: shares)
        return HedgeProposal(
            underlying: underlying,
            trades: [
                HedgeTrade(symbol: option.symbol, quantity: contracts, multiplier: option.multiplier, unitPrice: unit.price),
                HedgeTrade(symbol: underlying, quantity: shares, multiplier: 1, unitPrice: spot),
            ],
            before: before, after: after)
    }
}
