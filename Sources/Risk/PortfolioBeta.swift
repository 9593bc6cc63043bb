import MarketCore

/// A book's beta to an index, estimated from history: the least-squares slope of the book's daily
/// full-revaluation P&L (today's book under each past day's factor moves, as in historical VaR)
/// on the index's daily log return on the same days.
///
/// `dollarBeta` is money per unit of index log return (≈ P&L of a +1 % index day × 100); `beta` is
/// that per unit of book value, the usual dimensionless beta (1 for a book holding the index).
public struct PortfolioBeta: Sendable, Hashable, Codable {
    public var index: Symbol
    public var dollarBeta: Double
    /// nil when the book's value is zero (e.g. a hedged options book), where a ratio means nothing.
    public var beta: Double?
    /// Correlation of the book's P&L with the index return.
    public var correlation: Double?
    /// Days in the regression.
    public var observations: Int

    /// Regresses over the last `lookback` days (up to the book's valuation date) on which every
    /// factor and the index have a close. Throws when fewer than 2 days remain or the index never moved.
    public static func estimate(book: RiskBook, index: Symbol, prices: PriceHistory, lookback: Int) throws(RiskError) -> PortfolioBeta {
        let symbols = book.factors.contains(index) ? book.factors : book.factors + [index]
        let history = try prices.logReturns(of: symbols, lookback: lookback, asOf: book.valuationDate)
        guard history.count >= 2 else { throw .historyTooShort(needed: 3, available: history.count + 1) }
        let indexColumn = symbols.firstIndex(of: index)!
        let f = book.factors.count
        var scratch = [Double](repeating: 0, count: f)
        var pnl: [Double] = []
        var market: [Double] = []
        for row in history.returns {
            row.withUnsafeBufferPointer { buffer in
                pnl.append(book.totalPnL(factorReturns: UnsafeBufferPointer(rebasing: buffer[0..<f]), movedSpots: &scratch))
            }
            market.append(row[indexColumn])
        }
        let n = Double(pnl.count)
        let meanPnL = pnl.reduce(0, +) / n
        let meanMarket = market.reduce(0, +) / n
        var covariance = 0.0, marketVariance = 0.0, pnlVariance = 0.0
        for t in pnl.indices {
            covariance += (pnl[t] - meanPnL) * (market[t] - meanMarket)
            marketVariance += (market[t] - meanMarket) * (market[t] - meanMarket)
            pnlVariance += (pnl[t] - meanPnL) * (pnl[t] - meanPnL)
        }
        try RiskError.require("variance of \(index) returns", marketVariance, "> 0 (the index must move)") { $0 > 0 }
        let dollarBeta = covariance / marketVariance
        let value = book.value
        return PortfolioBeta(
            index: index, dollarBeta: dollarBeta, beta: value != 0 ? dollarBeta / value : nil,
            correlation: pnlVariance > 0 ? covariance / (marketVariance * pnlVariance).squareRoot() : nil,
            observations: pnl.count)
    }
}
