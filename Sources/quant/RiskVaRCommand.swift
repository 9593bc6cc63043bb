import ArgumentParser
import Foundation
import Risk

/// `quant risk var`: VaR, ES and per-position contributions of a portfolio from a price file.
struct RiskVaRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "var",
        abstract: "Value at Risk and Expected Shortfall (historical, parametric, Monte Carlo) with per-position contributions.",
        discussion: """
            --prices: CSV in long format with header date,symbol,close (YYYY-MM-DD, one row per symbol and day).
            --positions: JSON {"asOf","rate","positions":[…]} or a bare array, or CSV with header \
            id,symbol,quantity,multiplier,underlying,right,strike,expiry,volatility,dividend_yield,model \
            (see docs/risk.md and docs/examples/).
            Example: quant risk var --prices docs/examples/prices.csv --positions docs/examples/positions.json
            """
    )

    @Option(help: "Daily closes, CSV date,symbol,close.") var prices: String
    @Option(help: "Positions, .json or .csv.") var positions: String
    @Option(help: "historical | parametric | montecarlo | all") var method: String = "all"
    @Option(help: "Confidence levels, comma-separated (0.99 or 99).") var confidence: String = "0.95,0.975,0.99"
    @Option(help: "Horizons in trading days, comma-separated.") var horizon: String = "1,10"
    @Option(help: "Daily returns in the look-back window.") var lookback: Int = 250
    @Option(help: "Monte Carlo paths.") var paths: Int = 100_000
    @Option(help: "Monte Carlo seed.") var seed: UInt64 = 42
    @Option(name: .customLong("historical-scaling"), help: "sqrt (daily returns × √h) | overlapping (h-day windows).")
    var historicalScaling: String = "sqrt"
    @Option(help: "Risk-free rate for option pricing (overrides the positions file).") var rate: Double?
    @Option(name: .customLong("as-of"), help: "Valuation date YYYY-MM-DD (default: positions file, else the last common date).")
    var asOf: String?
    @Option(name: .customLong("backtest-window"), help: "Also backtest rolling historical VaR over the whole file with this window (0: off).")
    var backtestWindow: Int = 0

    struct Output: Encodable {
        var asOf: CivilDate
        var portfolioValue: Double
        var factors: [String]
        var returnsUsed: Int
        var firstReturnDate: CivilDate?
        var lastReturnDate: CivilDate?
        var positions: [PositionGreeks]
        var measures: [RiskMeasure]
        var backtests: [VaRBacktestResult]?
    }

    func run() throws {
        let methods: [VaRMethod] = method.lowercased() == "all" ? VaRMethod.allCases : try method.split(separator: ",").map {
            guard let parsed = VaRMethod(rawValue: $0.lowercased()) else {
                throw ValidationError("--method must be historical, parametric, montecarlo or all")
            }
            return parsed
        }
        guard let scaling = HistoricalHorizonScaling(rawValue: historicalScaling) else {
            throw ValidationError("--historical-scaling must be sqrt or overlapping")
        }
        guard lookback >= 2 else { throw ValidationError("--lookback must be at least 2") }
        let confidences = try RiskCLI.confidences(confidence)
        let horizons = try RiskCLI.horizons(horizon)
        let history = try PriceHistory.parseCSV(RiskCLI.readText(prices))
        var portfolio = try RiskCLI.loadPortfolio(positions)
        if let rate { portfolio.rate = rate }
        if let asOf {
            guard let date = CivilDate(asOf) else { throw ValidationError("--as-of must be YYYY-MM-DD") }
            portfolio.asOf = date
        }

        let risk = try PortfolioRisk(portfolio: portfolio, prices: history, lookback: lookback)
        var measures: [RiskMeasure] = []
        for method in methods {
            switch method {
            case .historical: measures += try risk.historical(confidences: confidences, horizons: horizons, scaling: scaling)
            case .parametric: measures += try risk.parametric(confidences: confidences, horizons: horizons)
            case .monteCarlo: measures += try risk.monteCarlo(confidences: confidences, horizons: horizons, paths: paths, seed: seed)
            }
        }
        var backtests: [VaRBacktestResult]?
        if backtestWindow > 0 {
            let full = try PortfolioRisk(portfolio: portfolio, prices: history, lookback: Int.max / 2)
            backtests = try confidences.map { try VaRBacktest.rollingHistorical(risk: full, confidence: $0, window: backtestWindow) }
        }
        try RiskCLI.printJSON(Output(
            asOf: risk.book.valuationDate, portfolioValue: risk.book.value, factors: risk.book.factors.map(\.rawValue),
            returnsUsed: risk.history.count, firstReturnDate: risk.history.dates.first, lastReturnDate: risk.history.dates.last,
            positions: risk.book.positionGreeks, measures: measures, backtests: backtests))
    }
}
