import MarketCore
import PortfolioValuation
import Risk
import RiskEngine
import Testing

/// The valuation step without a database: typed refusals, volatility choice, pricing model.
@Suite struct PortfolioRiskCalculatorTests {
    static let market = try! RiskTestMarket(weekdays: 80)
    static var closes: [DailyClose] {
        market.closes.map { DailyClose(symbol: $0.symbol.rawValue, date: $0.date, close: $0.close) }
    }

    static func calculator(_ change: (inout RiskEngineConfiguration) -> Void = { _ in }) -> PortfolioRiskCalculator {
        var configuration = RiskTestMarket.configuration
        configuration.methods = [.parametric]
        change(&configuration)
        return PortfolioRiskCalculator(configuration: configuration)
    }

    static func call(expiry: CivilDate) -> HeldInstrument {
        HeldInstrument(symbol: "AAPL-C-190", quantity: 10, kind: .option, multiplier: 100, underlying: "AAPL",
                       underlyingKind: .equity, strike: 190, expiry: expiry, right: .call)
    }

    @Test func refusalsAreTypedAndNameTheProblem() {
        let flat = PortfolioInputs(portfolioID: "p", positions: [HeldInstrument(symbol: "AAPL", quantity: 0, kind: .equity)], closes: Self.closes)
        #expect(throws: RiskEngineError.noPositions) { try Self.calculator().compute(flat) }

        let expired = CivilDate(dayNumber: Self.market.valuationDate.dayNumber - 1)
        let stale = PortfolioInputs(portfolioID: "p", positions: [Self.call(expiry: expired)], closes: Self.closes)
        #expect(throws: RiskEngineError.expiredOption(symbol: "AAPL-C-190", expiry: expired, valuationDate: Self.market.valuationDate)) {
            try Self.calculator().compute(stale)
        }

        let short = PortfolioInputs(portfolioID: "p", positions: [HeldInstrument(symbol: "AAPL", quantity: 5, kind: .equity)], closes: Self.closes)
        #expect(throws: RiskEngineError.historyTooShort(needed: 100, available: 79)) {
            try Self.calculator { $0.minimumReturns = 100 }.compute(short)
        }

        var incomplete = Self.call(expiry: Self.market.callExpiry)
        incomplete.strike = nil
        #expect(throws: RiskEngineError.self) {
            try Self.calculator().compute(PortfolioInputs(portfolioID: "p", positions: [incomplete], closes: Self.closes))
        }
        #expect(throws: RiskEngineError.risk(.missingPrices(symbol: "AAPL"))) {
            try Self.calculator().compute(PortfolioInputs(portfolioID: "p", positions: [HeldInstrument(symbol: "AAPL", quantity: 1, kind: .equity)], closes: []))
        }
    }

    @Test func aQuoteOutsideTheNoArbitrageBoundsFallsBackToTheDefaultVolatility() throws {
        let call = Self.call(expiry: Self.market.callExpiry)
        let calculator = Self.calculator()
        // A call can never be worth more than its underlying: no volatility fits 10,000.
        let run = try calculator.compute(PortfolioInputs(portfolioID: "p", positions: [call], closes: Self.closes, optionMids: ["AAPL-C-190": 10_000]))
        let volatility = try #require(run.volatilities["AAPL-C-190"])
        #expect(volatility.source == .default && volatility.value == calculator.configuration.defaultVolatility)
        #expect(volatility.note?.contains("no volatility fits") == true)

        let noQuote = try calculator.compute(PortfolioInputs(portfolioID: "p", positions: [call], closes: Self.closes))
        #expect(noQuote.volatilities["AAPL-C-190"]?.source == .default)
        #expect(noQuote.volatilities["AAPL-C-190"]?.note == nil)
    }

    @Test func optionsOnFuturesArePricedWithBlack76() throws {
        let put = HeldInstrument(symbol: "ESZ6-P-4900", quantity: 1, kind: .option, multiplier: 50, underlying: "ESZ6",
                                 underlyingKind: .future, strike: 4900, expiry: Self.market.putExpiry, right: .put)
        let run = try Self.calculator().compute(PortfolioInputs(portfolioID: "p", positions: [put], closes: Self.closes))
        let spot = Self.closes.last { $0.symbol == "ESZ6" }!.close
        let black76 = try OptionPricer.price(OptionParameters(
            right: .put, underlying: spot, strike: 4900, rate: RiskTestMarket.rate, volatility: 0.22,
            timeToExpiry: Self.market.valuationDate.yearFraction(to: Self.market.putExpiry), model: .black76))
        #expect(abs(run.value - 50 * black76) < 1e-9)
        #expect(run.measures.count == RiskTestMarket.configuration.confidences.count * RiskTestMarket.configuration.horizons.count)
    }
}
