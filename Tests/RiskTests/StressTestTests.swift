import MarketCore
import Testing
@testable import Risk

/// Stress P&L against values checked by hand: linear positions move with their spot; options are
/// repriced at textbook Black-Scholes points (Hull, *Options, Futures and Other Derivatives*,
/// examples 15.6: S = 42, K = 40, r = 10 %, σ = 20 %, T = 0.5 → call 4.7594, put 0.8086) or
/// at zero volatility, where the price is the discounted intrinsic value.
@Suite struct StressTestTests {
    let date = CivilDate("2025-01-02")!

    func put(_ id: String, on underlying: String, strike: Double, years: Double, volatility: Double, quantity: Double) -> RiskPosition {
        TestMarket.option(id, on: underlying, .put, strike: strike, years: years, volatility: volatility, quantity: quantity)
    }

    @Test func linearPositionsMoveWithTheirShock() throws {
        let book = try RiskBook(
            portfolio: Portfolio(positions: [TestMarket.equity("AAA", 100), TestMarket.equity("BBB", -10)]),
            spots: [TestMarket.symbol("AAA"): 50, TestMarket.symbol("BBB"): 20], valuationDate: date)
        let scenario = StressScenario(name: "mixed", shocks: [
            StressShock(pricePercent: 5), StressShock(symbol: TestMarket.symbol("AAA"), pricePercent: -30),
        ])
        let result = try StressTest.run(book: book, scenario: scenario)
        // AAA: 100 × 50 × −30 % = −1500 (its own shock replaces the +5 % for all); BBB: −10 × 20 × 5 % = −10.
        #expect(abs(result.positions[0].pnl - -1500) < 1e-9)
        #expect(abs(result.positions[1].pnl - -10) < 1e-9)
        #expect(abs(result.pnl - -1510) < 1e-9)
        #expect(abs(result.baseValue - 4800) < 1e-9)
        #expect(abs(result.stressedValue - 3290) < 1e-9)
    }

    @Test func optionsAreRepricedWithShockedSpotVolatilityAndRate() throws {
        // Base: S = 40, σ = 10 %, r = 5 %; the shock +5 % price, +10 vol points, +500 bp lands on
        // Hull's S = 42, σ = 20 %, r = 10 %, where the put is worth 0.8086.
        let position = put("P40", on: "BBB", strike: 40, years: 0.5, volatility: 0.10, quantity: 3)
        let book = try RiskBook(
            portfolio: Portfolio(positions: [position], rate: 0.05), spots: [TestMarket.symbol("BBB"): 40], valuationDate: date)
        let scenario = StressScenario(name: "hull", shocks: [
            StressShock(symbol: TestMarket.symbol("BBB"), pricePercent: 5, volatilityPoints: 10, rateBasisPoints: 500),
        ])
        let result = try StressTest.run(book: book, scenario: scenario)
        // 3 contracts × 100: base put (S 40, K 40, r 5 %, σ 10 %, T ½) = 0.6893043.
        #expect(abs(result.baseValue - 300 * 0.6893043286) < 1e-6)
        #expect(abs(result.stressedValue - 300 * 0.8085993729) < 1e-6)
        #expect(abs(result.stressedValue / 300 - 0.8086) < 5e-5)
        #expect(abs(result.pnl - 300 * (0.8085993729 - 0.6893043286)) < 1e-6)
    }

    @Test func volatilityFloorsAtZeroAndGivesTheIntrinsicValue() throws {
        let call = TestMarket.option("C100", on: "AAA", .call, strike: 100, years: 1, volatility: 0.2, quantity: 2)
        let book = try RiskBook(
            portfolio: Portfolio(positions: [call], rate: 0.05), spots: [TestMarket.symbol("AAA"): 100], valuationDate: date)
        // The textbook at-the-money call S = K = 100, r = 5 %, σ = 20 %, T = 1: 10.4506.
        #expect(abs(book.value / 200 - 10.450583572) < 1e-8)
        // +10 % price, −30 vol points (floored at 0), −500 bp (r = 0): worth 110 − 100 = 10.
        let scenario = StressScenario(name: "calm", shocks: [StressShock(pricePercent: 10, volatilityPoints: -30, rateBasisPoints: -500)])
        let result = try StressTest.run(book: book, scenario: scenario)
        #expect(abs(result.stressedValue - 2000) < 1e-9)
        #expect(abs(result.pnl - (2000 - 200 * 10.450583572)) < 1e-6)
    }

    @Test func noShockIsNoPnLAndUnshockedFactorsStayPut() throws {
        let book = try RiskBook(
            portfolio: Portfolio(positions: [
                TestMarket.option("C100", on: "AAA", .call, strike: 100, years: 0.5, quantity: -4), TestMarket.equity("BBB", 7),
            ], rate: 0.03),
            spots: [TestMarket.symbol("AAA"): 101, TestMarket.symbol("BBB"): 30], valuationDate: date)
        let results = try StressTest.run(book: book, scenarios: [
            StressScenario(name: "none", shocks: []),
            StressScenario(name: "bbb only", shocks: [StressShock(symbol: TestMarket.symbol("BBB"), pricePercent: -50)]),
        ])
        #expect(results.map(\.scenario) == ["none", "bbb only"])
        #expect(results[0].pnl == 0)
        #expect(results[1].positions[0].pnl == 0)
        #expect(abs(results[1].pnl - -105) < 1e-9)
    }

    @Test func refusesBadScenarios() throws {
        let book = try RiskBook(
            portfolio: Portfolio(positions: [TestMarket.equity("AAA", 1)]), spots: [TestMarket.symbol("AAA"): 10], valuationDate: date)
        for scenario in [
            StressScenario(name: "wipe-out", shocks: [StressShock(pricePercent: -100)]),
            StressScenario(name: "", shocks: []),
            StressScenario(name: "twice", shocks: [StressShock(pricePercent: 1), StressShock(pricePercent: 2)]),
            StressScenario(name: "nan", shocks: [StressShock(volatilityPoints: .nan)]),
        ] {
            #expect(throws: RiskError.self) { try StressTest.run(book: book, scenario: scenario) }
        }
    }
}
