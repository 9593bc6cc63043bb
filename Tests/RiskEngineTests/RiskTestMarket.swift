import Foundation
import Logging
import MarketCore
import PortfolioValuation
import PostgresNIO
import Risk
import RiskEngine

/// A reproducible market for the engine tests: three underlyings (two equities and a future) with
/// ~300 weekdays of trade prints and quotes from a seeded generator, two options, and portfolios.
///
/// The test keeps its own closes (the last trade of each day, or the quote mid on MSFT's
/// quote-only days) so it can ask the `Risk` core directly what the engine should have stored.
struct RiskTestMarket {
    struct Underlying {
        var symbol: String
        var kind: String
        var multiplier: Double
        var start: Double
        var annualVolatility: Double
    }

    static let underlyings = [
        Underlying(symbol: "AAPL", kind: "equity", multiplier: 1, start: 180, annualVolatility: 0.25),
        Underlying(symbol: "MSFT", kind: "equity", multiplier: 1, start: 400, annualVolatility: 0.20),
        Underlying(symbol: "ESZ6", kind: "future", multiplier: 50, start: 5000, annualVolatility: 0.15),
    ]
    /// Traded nowhere: a portfolio holding it cannot be valued.
    static let unpriced = "NEWCO"
    static let impliedVolatility = 0.3

    let today: CivilDate
    /// The weekdays with prices, oldest first; the last one is the valuation date.
    let days: [CivilDate]
    /// What the engine should read as closes, as the core wants them.
    var closes: [(date: CivilDate, symbol: Symbol, close: Double)] = []
    var trades: [(ts: Double, symbol: String, cents: Int64)] = []
    var quotes: [(ts: Double, symbol: String, bidCents: Int64, askCents: Int64)] = []
    /// Quote of the AAPL call, in cents, consistent with `impliedVolatility` on the valuation date.
    var callQuote: (bid: Int64, ask: Int64) = (0, 0)
    let callExpiry: CivilDate
    let putExpiry: CivilDate

    var valuationDate: CivilDate { days.last! }

    init(seed: UInt64 = 7, weekdays: Int = 300) throws {
        today = CivilDate(dayNumber: Int(Date().timeIntervalSince1970 / 86_400))
        var dates: [CivilDate] = []
        var day = today.dayNumber - 1
        while dates.count < weekdays {
            // 1970-01-01 was a Thursday: (n + 3) % 7 is 0 on Mondays.
            if (day + 3) % 7 < 5 { dates.append(CivilDate(dayNumber: day)) }
            day -= 1
        }
        days = dates.reversed()
        callExpiry = CivilDate(dayNumber: today.dayNumber + 90)
        putExpiry = CivilDate(dayNumber: today.dayNumber + 60)

        var sampler = NormalSampler(seed: seed)
        var prices = Self.underlyings.map(\.start)
        for (index, date) in days.enumerated() {
            let common = sampler.next()
            let midnight = Double(date.dayNumber) * 86_400
            for (j, u) in Self.underlyings.enumerated() {
                let shock = 0.5.squareRoot() * common + 0.5.squareRoot() * sampler.next()
                prices[j] *= exp(u.annualVolatility / 252.0.squareRoot() * shock)
                let closeCents = Int64((prices[j] * 100).rounded())
                let symbol = Symbol(u.symbol)!
                if u.symbol == "MSFT", index % 10 == 3 {
                    // A day without trades: the close is the mid of the day's last quote.
                    quotes.append((midnight + 15 * 3600, u.symbol, closeCents - 40, closeCents + 40))
                    quotes.append((midnight + 20 * 3600, u.symbol, closeCents - 5, closeCents + 5))
                } else {
                    trades.append((midnight + 14 * 3600, u.symbol, closeCents + Int64(sampler.next() * 50)))
                    trades.append((midnight + 17.5 * 3600, u.symbol, closeCents - 30))
                    trades.append((midnight + 20.5 * 3600, u.symbol, closeCents))
                    // A later quote with another mid must not replace a traded close.
                    quotes.append((midnight + 21 * 3600, u.symbol, closeCents + 100, closeCents + 120))
                }
                closes.append((date, symbol, Double(closeCents) / 100))
            }
        }
        let spot = closes.last { $0.symbol.rawValue == "AAPL" }!.close
        let price = try OptionPricer.price(OptionParameters(
            right: .call, underlying: spot, strike: 190, rate: Self.rate, volatility: Self.impliedVolatility,
            timeToExpiry: valuationDate.yearFraction(to: callExpiry)))
        let cents = Int64((price * 100).rounded())
        callQuote = (cents - 5, cents + 6)
        quotes.append((Double(today.dayNumber - 1) * 86_400 + 22 * 3600, "AAPL-C-190", callQuote.bid, callQuote.ask))
    }

    static let rate = 0.04

    /// The engine's settings for the tests: few Monte Carlo paths keep a debug build quick.
    static let configuration = RiskEngineConfiguration(
        monteCarloPaths: 2_000, seed: 11, riskFreeRate: rate, defaultVolatility: 0.22,
        interval: .seconds(3600), debounce: .milliseconds(100))

    /// alpha: equities and a call with a quote (implied volatility); beta: a future and a put on it
    /// without a quote (Black-76, default volatility); gamma: an instrument without prices.
    static let portfolios: [(id: String, positions: [(symbol: String, quantity: Double)])] = [
        ("alpha", [("AAPL", 100), ("MSFT", -40), ("AAPL-C-190", 10)]),
        ("beta", [("MSFT", 200), ("ESZ6", 2), ("ESZ6-P-4900", -3)]),
        ("gamma", [("NEWCO", 1000)]),
    ]

    /// Writes instruments, portfolios, positions, trades and quotes.
    func seed(_ client: PostgresClient, logger: Logger) async throws {
        let first = days.first!.description
        try await client.query("""
            SELECT ops.ensure_partitions(t::regclass, \(first)::date, \(today.description)::date)
            FROM unnest(ARRAY['market.trades', 'market.quotes']) AS t
            """, logger: logger)
        for u in Self.underlyings {
            try await client.query("""
                INSERT INTO market.instruments (symbol, kind, multiplier) VALUES (\(u.symbol), \(u.kind), \(u.multiplier))
                """, logger: logger)
        }
        try await client.query("INSERT INTO market.instruments (symbol, kind) VALUES (\(Self.unpriced), 'equity')", logger: logger)
        try await client.query("""
            INSERT INTO market.instruments (symbol, kind, multiplier, underlying, strike, expiry, option_right) VALUES
                ('AAPL-C-190', 'option', 100, 'AAPL', 190, \(callExpiry.description)::date, 'call'),
                ('ESZ6-P-4900', 'option', 50, 'ESZ6', 4900, \(putExpiry.description)::date, 'put')
            """, logger: logger)
        for portfolio in Self.portfolios {
            try await client.query("INSERT INTO risk.portfolios (portfolio_id, name) VALUES (\(portfolio.id), \(portfolio.id))", logger: logger)
            try await client.query("""
                INSERT INTO risk.positions (portfolio_id, symbol, quantity)
                SELECT \(portfolio.id), * FROM unnest(\(portfolio.positions.map(\.symbol))::text[], \(portfolio.positions.map(\.quantity))::float8[])
                """, logger: logger)
        }
        try await client.query("""
            INSERT INTO market.trades (ts, symbol, price, size)
            SELECT to_timestamp(ts), symbol, cents / 100.0, 10
            FROM unnest(\(trades.map(\.ts))::float8[], \(trades.map(\.symbol))::text[], \(trades.map(\.cents))::bigint[]) AS t(ts, symbol, cents)
            """, logger: logger)
        try await client.query("""
            INSERT INTO market.quotes (ts, symbol, bid, ask, bid_size, ask_size)
            SELECT to_timestamp(ts), symbol, bid / 100.0, ask / 100.0, 5, 5
            FROM unnest(\(quotes.map(\.ts))::float8[], \(quotes.map(\.symbol))::text[], \(quotes.map(\.bidCents))::bigint[],
                        \(quotes.map(\.askCents))::bigint[]) AS q(ts, symbol, bid, ask)
            """, logger: logger)
    }

    /// The core's own valuation of a seeded portfolio from the test's closes: what the engine must store.
    func expectedRisk(_ id: String, configuration: RiskEngineConfiguration = Self.configuration) throws -> (PortfolioRisk, [RiskMeasure]) {
        let history = try PriceHistory(rows: closes)
        let callMid = Double(callQuote.bid + callQuote.ask) / 200
        let spot = history.close(of: Symbol("AAPL")!, onOrBefore: valuationDate)!
        let implied = try ImpliedVolatility.solve(price: callMid, parameters: OptionParameters(
            right: .call, underlying: spot, strike: 190, rate: Self.rate, volatility: 0,
            timeToExpiry: valuationDate.yearFraction(to: callExpiry)))
        // In symbol order, as the engine reads them: the order of the risk factors decides which
        // Monte Carlo draw moves which factor.
        let held = Self.portfolios.first { $0.id == id }!.positions.sorted { $0.symbol < $1.symbol }
        let positions: [RiskPosition] = held.map { symbol, quantity in
            switch symbol {
            case "AAPL-C-190":
                RiskPosition(symbol: Symbol(symbol)!, quantity: quantity, multiplier: 100, option: OptionLeg(
                    underlying: Symbol("AAPL")!, right: .call, strike: 190, expiry: callExpiry, volatility: implied))
            case "ESZ6-P-4900":
                RiskPosition(symbol: Symbol(symbol)!, quantity: quantity, multiplier: 50, option: OptionLeg(
                    underlying: Symbol("ESZ6")!, right: .put, strike: 4900, expiry: putExpiry,
                    volatility: configuration.defaultVolatility, model: .black76))
            default:
                RiskPosition(symbol: Symbol(symbol)!, quantity: quantity,
                             multiplier: Self.underlyings.first { $0.symbol == symbol }!.multiplier)
            }
        }
        let portfolio = Portfolio(positions: positions, rate: Self.rate, asOf: valuationDate)
        let risk = try PortfolioRisk(portfolio: portfolio, prices: history, lookback: configuration.lookbackDays)
        let measures = try risk.historical(confidences: configuration.confidences, horizons: configuration.horizons)
            + risk.parametric(confidences: configuration.confidences, horizons: configuration.horizons)
            + risk.monteCarlo(confidences: configuration.confidences, horizons: configuration.horizons,
                              paths: configuration.monteCarloPaths, seed: configuration.seed)
        return (risk, measures)
    }
}
