import ArgumentParser
import Foundation
import MarketCore
import Risk

/// `quant risk hedge`: delta-neutral or delta-gamma-neutral trades for one underlying of a book.
struct RiskHedgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hedge",
        abstract: "Propose delta-neutral (underlying only) or delta-gamma-neutral (an option plus the underlying) hedges.",
        discussion: """
            Without --option-right: delta-neutral with the underlying. With --option-right, --option-strike, \
            --option-expiry (or --option-time) and --option-vol: delta-gamma-neutral with that option plus the underlying.
            Example: quant risk hedge --prices docs/examples/risk-prices.csv --positions docs/examples/risk-positions.json \
            --underlying AAPL --option-right call --option-strike 180 --option-expiry 2025-09-19 --option-vol 0.26
            """
    )

    @Option(help: "Daily closes, CSV date,symbol,close.") var prices: String
    @Option(help: "Positions, .json or .csv.") var positions: String
    @Option(help: "Underlying to hedge.") var underlying: String
    @Option(help: "Risk-free rate (overrides the positions file).") var rate: Double?
    @Option(name: .customLong("as-of"), help: "Valuation date YYYY-MM-DD.") var asOf: String?
    @Option(name: .customLong("option-right"), help: "call | put: hedge gamma with this option.") var optionRight: String?
    @Option(name: .customLong("option-strike")) var optionStrike: Double?
    @Option(name: .customLong("option-expiry"), help: "YYYY-MM-DD") var optionExpiry: String?
    @Option(name: .customLong("option-time"), help: "Time to expiry in years (instead of --option-expiry).") var optionTime: Double?
    @Option(name: .customLong("option-vol")) var optionVol: Double?
    @Option(name: .customLong("option-multiplier")) var optionMultiplier: Double = 100
    @Option(name: .customLong("option-symbol"), help: "Symbol to report for the option trade.") var optionSymbol: String?

    func run() throws {
        var portfolio = try RiskCLI.loadPortfolio(positions)
        if let rate { portfolio.rate = rate }
        if let asOf {
            guard let date = CivilDate(asOf) else { throw ValidationError("--as-of must be YYYY-MM-DD") }
            portfolio.asOf = date
        }
        guard let symbol = Symbol(underlying) else { throw ValidationError("invalid --underlying \(underlying)") }
        let book = try RiskBook(portfolio: portfolio, history: PriceHistory.parseCSV(RiskCLI.readText(prices)))
        guard let rightText = optionRight else {
            try RiskCLI.printJSON(Hedger.deltaNeutral(book: book, underlying: symbol))
            return
        }
        guard let right = Instrument.OptionRight(rawValue: rightText.lowercased()) else {
            throw ValidationError("--option-right must be call or put")
        }
        guard let strike = optionStrike, let vol = optionVol, optionExpiry != nil || optionTime != nil else {
            throw ValidationError("a gamma hedge needs --option-strike, --option-vol and --option-expiry or --option-time")
        }
        var expiry: CivilDate?
        if let optionExpiry {
            guard let date = CivilDate(optionExpiry) else { throw ValidationError("--option-expiry must be YYYY-MM-DD") }
            expiry = date
        }
        let name = optionSymbol ?? "\(underlying)-\(rightText.uppercased().prefix(1))-\(strike)"
        guard let optionSymbol = Symbol(name) else { throw ValidationError("invalid option symbol \(name); pass --option-symbol") }
        let option = RiskPosition(
            symbol: optionSymbol, quantity: 0, multiplier: optionMultiplier,
            option: OptionLeg(underlying: symbol, right: right, strike: strike, expiry: expiry, timeToExpiry: optionTime, volatility: vol))
        try RiskCLI.printJSON(Hedger.deltaGammaNeutral(book: book, underlying: symbol, option: option))
    }
}
