import Testing
@testable import Risk

@Suite struct HedgerTests {
    func book() throws -> RiskBook {
        let positions = [
            TestMarket.option("C100", on: "AAA", .call, strike: 100, years: 0.5, quantity: -10),
            TestMarket.option("P95", on: "AAA", .put, strike: 95, years: 0.25, quantity: 4),
            TestMarket.equity("AAA", 150),
        ]
        return try RiskBook(portfolio: Portfolio(positions: positions, rate: 0.02), spots: [TestMarket.symbol("AAA"): 102], valuationDate: CivilDate("2025-01-02")!)
    }

    /// Adds the proposed trades to the book and revalues it from scratch.
    func rebalanced(_ book: RiskBook, _ proposal: HedgeProposal, hedge: RiskPosition? = nil) throws -> OptionValuation {
        var positions = book.portfolio.positions
        for (index, trade) in proposal.trades.enumerated() {
            if var option = hedge, trade.symbol == option.symbol {
                option.id = "hedge-\(index)"
                option.quantity = trade.quantity
                positions.append(option)
            } else {
                positions.append(RiskPosition(id: "hedge-\(index)", symbol: trade.symbol, quantity: trade.quantity))
            }
        }
        let hedged = try RiskBook(
            portfolio: Portfolio(positions: positions, rate: book.portfolio.rate),
            spots: [TestMarket.symbol("AAA"): 102], valuationDate: book.valuationDate)
        return hedged.greeks(of: TestMarket.symbol("AAA"))
    }

    @Test func deltaNeutral() throws {
        let book = try book()
        let proposal = try Hedger.deltaNeutral(book: book, underlying: TestMarket.symbol("AAA"))
        #expect(abs(proposal.before.delta) > 100)
        #expect(abs(proposal.after.delta) < 1e-9)
        #expect(proposal.after.gamma == proposal.before.gamma)
        #expect(abs(try rebalanced(book, proposal).delta) < 1e-9)
    }

    @Test func deltaGammaNeutral() throws {
        let book = try book()
        let hedge = TestMarket.option("C105", on: "AAA", .call, strike: 105, years: 0.75, quantity: 0)
        let proposal = try Hedger.deltaGammaNeutral(book: book, underlying: TestMarket.symbol("AAA"), option: hedge)
        #expect(proposal.trades.count == 2)
        #expect(abs(proposal.before.gamma) > 1)
        #expect(abs(proposal.after.delta) < 1e-9)
        #expect(abs(proposal.after.gamma) < 1e-12)
        let check = try rebalanced(book, proposal, hedge: hedge)
        #expect(abs(check.delta) < 1e-8)
        #expect(abs(check.gamma) < 1e-10)
    }

    @Test func refusesAHedgeWithoutGamma() throws {
        let book = try book()
        let expired = TestMarket.option("C90", on: "AAA", .call, strike: 90, years: 0, quantity: 0)
        #expect(throws: RiskError.self) { try Hedger.deltaGammaNeutral(book: book, underlying: TestMarket.symbol("AAA"), option: expired) }
        let wrongUnderlying = TestMarket.option("X", on: "BBB", .call, strike: 90, years: 1, quantity: 0)
        #expect(throws: RiskError.self) { try Hedger.deltaGammaNeutral(book: book, underlying: TestMarket.symbol("AAA"), option: wrongUnderlying) }
    }
}
