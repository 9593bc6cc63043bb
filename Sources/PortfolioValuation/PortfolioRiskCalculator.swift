import MarketCore
import Risk

/// Turns one portfolio's stored inputs into core types and asks the `Risk` core for every
/// configured method × confidence × horizon plus the Greeks. It adds no maths of its own: it
/// picks the valuation date (the last date every factor has a close), each option's volatility
/// (implied from its quote mid, else the default) and the pricing model (Black-76 on futures).
/// No I/O: the service supplies the inputs (`RiskInputsReader`) and stores the result; the only
/// clock times each method for the caller's metrics.
public struct PortfolioRiskCalculator: Sendable {
    public let configuration: RiskEngineConfiguration

    public init(configuration: RiskEngineConfiguration) {
        self.configuration = configuration
    }

    /// The positions valued on the last date every factor has a close, with the closes they came
    /// from and each option's volatility: what VaR, stress tests and hedges start from. Needs only
    /// the valuation date's closes (no return history).
    public struct ValuedBook: Sendable {
        public var book: RiskBook
        public var history: PriceHistory
        public var volatilities: [String: OptionVolatility]
    }

    public func valuedBook(_ inputs: PortfolioInputs) throws(RiskEngineError) -> ValuedBook {
        let held = inputs.positions.filter { $0.quantity != 0 }
        guard !held.isEmpty else { throw .noPositions }
        var factors: [Symbol] = []
        for name in PortfolioInputs(portfolioID: inputs.portfolioID, positions: held, closes: []).factorSymbols {
            guard let symbol = Symbol(name) else { throw .invalidInstrument(symbol: name, reason: "not a valid symbol") }
            factors.append(symbol)
        }
        let rows = inputs.closes.compactMap { close in Symbol(close.symbol).map { (date: close.date, symbol: $0, close: close.close) } }
        let priced = Set(rows.map(\.symbol))
        if let unpriced = factors.first(where: { !priced.contains($0) }) { throw .risk(.missingPrices(symbol: unpriced.rawValue)) }
        let history = try core { () throws(RiskError) in try PriceHistory(rows: rows) }
        let valuationDate = try core { () throws(RiskError) in try history.lastCommonDate(of: factors) }

        var positions: [RiskPosition] = []
        var volatilities: [String: OptionVolatility] = [:]
        for position in held {
            guard let symbol = Symbol(position.symbol) else {
                throw .invalidInstrument(symbol: position.symbol, reason: "not a valid symbol")
            }
            guard position.quantity.isFinite, position.multiplier.isFinite, position.multiplier > 0 else {
                throw .invalidInstrument(symbol: position.symbol, reason: "quantity and multiplier must be finite, multiplier > 0")
            }
            guard position.kind == .option else {
                positions.append(RiskPosition(symbol: symbol, quantity: position.quantity, multiplier: position.multiplier))
                continue
            }
            let (leg, volatility) = try optionLeg(position, history: history, valuationDate: valuationDate, mids: inputs.optionMids)
            volatilities[position.symbol] = volatility
            positions.append(RiskPosition(symbol: symbol, quantity: position.quantity, multiplier: position.multiplier, option: leg))
        }

        let portfolio = Portfolio(positions: positions, rate: configuration.riskFreeRate, asOf: valuationDate)
        let book = try core { () throws(RiskError) in try RiskBook(portfolio: portfolio, history: history) }
        return ValuedBook(book: book, history: history, volatilities: volatilities)
    }

    /// The whole run of one portfolio; `timed` hears how long each method took (for metrics).
    public func compute(
        _ inputs: PortfolioInputs, timed: (VaRMethod, Duration) -> Void = { _, _ in }
    ) throws(RiskEngineError) -> PortfolioRiskRun {
        let valued = try valuedBook(inputs)
        let (history, volatilities) = (valued.history, valued.volatilities)
        let risk = try core { () throws(RiskError) in
            let returns = try history.logReturns(of: valued.book.factors, lookback: configuration.lookbackDays, asOf: valued.book.valuationDate)
            return try PortfolioRisk(book: valued.book, history: returns)
        }
        guard risk.history.count >= configuration.minimumReturns else {
            throw .historyTooShort(needed: configuration.minimumReturns, available: risk.history.count)
        }
        var measures: [RiskMeasure] = []
        for method in configuration.methods {
            let started = ContinuousClock.now
            defer { timed(method, ContinuousClock.now - started) }
            measures += try core { () throws(RiskError) in
                switch method {
                case .historical:
                    try risk.historical(confidences: configuration.confidences, horizons: configuration.horizons, incrementalES: true)
                case .parametric:
                    try risk.parametric(confidences: configuration.confidences, horizons: configuration.horizons)
                case .monteCarlo:
                    try risk.monteCarlo(
                        confidences: configuration.confidences, horizons: configuration.horizons,
                        paths: configuration.monteCarloPaths, seed: configuration.seed, incrementalES: true)
                }
            }
        }
        let stress = try core { () throws(RiskError) in try StressTest.run(book: risk.book, scenarios: configuration.stressScenarios) }
        var beta: PortfolioBeta?
        var betaNote: String?
        if let index = configuration.betaIndex {
            do {
                beta = try PortfolioBeta.estimate(book: risk.book, index: index, prices: history, lookback: configuration.lookbackDays)
            } catch {
                betaNote = error.description
            }
        }
        let run = PortfolioRiskRun(
            portfolioID: inputs.portfolioID, valuationDate: risk.book.valuationDate, value: risk.book.value,
            returnsUsed: risk.history.count, firstReturnDate: risk.history.dates.first,
            lastReturnDate: risk.history.dates.last, positions: risk.book.positionGreeks,
            volatilities: volatilities, measures: measures, stress: stress, beta: beta, betaNote: betaNote)
        try run.checkFinite()
        return run
    }

    /// The option's terms with its volatility: implied from the latest quote mid when one fits,
    /// otherwise `defaultVolatility` (the reason is kept in `OptionVolatility.note`).
    public func optionLeg(
        _ position: HeldInstrument, history: PriceHistory, valuationDate: CivilDate, mids: [String: Double]
    ) throws(RiskEngineError) -> (OptionLeg, OptionVolatility) {
        guard let underlyingName = position.underlying, let underlying = Symbol(underlyingName),
              let strike = position.strike, let expiry = position.expiry, let right = position.right else {
            throw .invalidInstrument(symbol: position.symbol, reason: "an option needs underlying, strike, expiry and right")
        }
        guard expiry >= valuationDate else {
            throw .expiredOption(symbol: position.symbol, expiry: expiry, valuationDate: valuationDate)
        }
        let model: OptionPricingModel = position.underlyingKind == .future ? .black76 : .blackScholesMerton
        var volatility = OptionVolatility(value: configuration.defaultVolatility, source: .default, quoteMid: mids[position.symbol])
        if let mid = volatility.quoteMid, let spot = history.close(of: underlying, onOrBefore: valuationDate) {
            let terms = OptionParameters(
                right: right, underlying: spot, strike: strike, rate: configuration.riskFreeRate, volatility: 0,
                timeToExpiry: valuationDate.yearFraction(to: expiry), model: model)
            do {
                volatility.value = try ImpliedVolatility.solve(price: mid, parameters: terms)
                volatility.source = .implied
            } catch {
                volatility.note = error.description
            }
        }
        let leg = OptionLeg(
            underlying: underlying, right: right, strike: strike, expiry: expiry, volatility: volatility.value, model: model)
        return (leg, volatility)
    }

    private func core<T>(_ body: () throws(RiskError) -> T) throws(RiskEngineError) -> T {
        do { return try body() } catch { throw .risk(error) }
    }
}
