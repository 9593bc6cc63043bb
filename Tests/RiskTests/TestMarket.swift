import MarketCore
@testable import Risk

/// Synthetic, reproducible market data for the portfolio tests.
enum TestMarket {
    static func symbol(_ text: String) -> Symbol { Symbol(text)! }

    /// `days` + 1 daily closes per symbol starting at 100, with i.i.d. normal log returns of the
    /// given daily volatilities and a common correlation, dated consecutively from 2024-01-01.
    static func history(
        symbols: [String], days: Int, dailyVolatility: [Double], correlation: Double, seed: UInt64
    ) throws -> PriceHistory {
        var sampler = NormalSampler(seed: seed)
        let start = CivilDate("2024-01-01")!
        var rows: [(date: CivilDate, symbol: Symbol, close: Double)] = []
        var prices = [Double](repeating: 100, count: symbols.count)
        for day in 0...days {
            if day > 0 {
                let common = sampler.next()
                for j in symbols.indices {
                    let shock = correlation.squareRoot() * common + (1 - correlation).squareRoot() * sampler.next()
                    prices[j] *= Math.exp(dailyVolatility[j] * shock)
                }
            }
            for (j, name) in symbols.enumerated() {
                rows.append((CivilDate(dayNumber: start.dayNumber + day), symbol(name), prices[j]))
            }
        }
        return try PriceHistory(rows: rows)
    }

    static func equity(_ name: String, _ quantity: Double) -> RiskPosition {
        RiskPosition(symbol: symbol(name), quantity: quantity)
    }

    static func option(
        _ id: String, on underlying: String, _ right: Instrument.OptionRight, strike: Double, years: Double,
        volatility: Double = 0.3, quantity: Double, multiplier: Double = 100
    ) -> RiskPosition {
        RiskPosition(
            id: id, symbol: symbol(id), quantity: quantity, multiplier: multiplier,
            option: OptionLeg(underlying: symbol(underlying), right: right, strike: strike, timeToExpiry: years, volatility: volatility))
    }

    /// Sample standard deviation.
    static func standardDeviation(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
    }
}
