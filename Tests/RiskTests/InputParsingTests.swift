import Foundation
import MarketCore
import Testing
@testable import Risk

@Suite struct InputParsingTests {
    @Test func pricesCSVInLongFormat() throws {
        let csv = """
            # daily closes
            date,symbol,close
            2025-01-02,AAA,100.5
            2025-01-02,BBB,20
            2025-01-03,AAA,101
            2025-01-06,AAA,99.5\r
            2025-01-06,BBB,21

            """
        let history = try PriceHistory.parseCSV(csv)
        #expect(history.closes[TestMarket.symbol("AAA")]?.count == 3)
        // BBB has no close on 2025-01-03: the returns use the dates both have.
        let returns = try history.logReturns(of: [TestMarket.symbol("AAA"), TestMarket.symbol("BBB")], lookback: 10)
        #expect(returns.count == 1)
        #expect(abs(returns.returns[0][0] - Math.log(99.5 / 100.5)) < 1e-15)
        #expect(try history.lastCommonDate(of: [TestMarket.symbol("BBB")]) == CivilDate("2025-01-06"))
    }

    @Test func pricesCSVErrors() {
        #expect(throws: RiskError.malformedInput(line: 1, reason: "header lacks column close")) { try PriceHistory.parseCSV("date,symbol\n") }
        #expect(throws: RiskError.self) { try PriceHistory.parseCSV("date,symbol,close\n2025-13-01,AAA,1\n") }
        #expect(throws: RiskError.self) { try PriceHistory.parseCSV("date,symbol,close\n2025-01-01,AAA,-1\n") }
        #expect(throws: RiskError.self) { try PriceHistory.parseCSV("date,symbol,close\n2025-01-01,AAA,abc\n") }
    }

    @Test func positionsCSV() throws {
        let csv = """
            id,symbol,quantity,multiplier,underlying,right,strike,expiry,volatility,dividend_yield,model
            stock,AAA,100,,,,,,,,
            short-call,AAA-C-110,-2,100,AAA,call,110,2025-06-20,0.25,0.01,bsm
            """
        let portfolio = try Portfolio.parseCSV(csv, rate: 0.04)
        #expect(portfolio.positions.count == 2)
        #expect(portfolio.positions[0].option == nil)
        #expect(portfolio.positions[0].multiplier == 1)
        let option = try #require(portfolio.positions[1].option)
        #expect(option.right == .call && option.strike == 110 && option.expiry == CivilDate("2025-06-20") && option.dividendYield == 0.01)
        #expect(portfolio.factors == [TestMarket.symbol("AAA")])
        #expect(throws: RiskError.self) { try Portfolio.parseCSV("symbol,quantity,right\nAAA,1,straddle\n") }
    }

    @Test func positionsJSON() throws {
        let json = """
            {"asOf": "2025-01-31", "rate": 0.04, "positions": [
              {"symbol": "AAA", "quantity": 100},
              {"id": "hedge", "symbol": "AAA-P-90", "quantity": 5, "multiplier": 100,
               "option": {"underlying": "AAA", "right": "put", "strike": 90, "expiry": "2025-03-21", "volatility": 0.3}}
            ]}
            """
        let portfolio = try JSONDecoder().decode(Portfolio.self, from: Data(json.utf8))
        #expect(portfolio.asOf == CivilDate("2025-01-31"))
        #expect(portfolio.positions[0].id == "AAA")
        #expect(portfolio.positions[1].option?.model == .blackScholesMerton)
        let book = try RiskBook(portfolio: portfolio, spots: [TestMarket.symbol("AAA"): 95], valuationDate: portfolio.asOf!)
        // 49 days to expiry, ACT/365.
        #expect(abs(book.legs[1].option!.timeToExpiry - 49.0 / 365) < 1e-15)
    }

    @Test func civilDates() {
        #expect(CivilDate("1970-01-01")?.dayNumber == 0)
        #expect(CivilDate("2024-02-29")?.description == "2024-02-29")
        #expect(CivilDate("2023-02-29") == nil)
        #expect(CivilDate("2025-1-1") == nil)
        #expect(CivilDate(dayNumber: 20_000).description == "2024-10-04")
    }
}
