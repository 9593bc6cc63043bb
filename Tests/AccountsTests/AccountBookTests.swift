import Foundation
import MarketCore
import OrderBook
import Testing
@testable import Accounts

/// The account check before matching, and what the account book follows of a real engine.
@Suite struct AccountBookTests {
    static let instrument = Instrument(symbol: Symbol("AAA")!)

    /// An engine and an account book side by side, as the processor runs them.
    struct Desk {
        var engine = MatchingEngine(defaultInstrument: AccountBookTests.instrument)
        var book: AccountBook

        /// Sends one command; returns its reject reason (the book's or the engine's), or nil.
        @discardableResult
        mutating func send(_ json: String) -> String? {
            let command = try! JSONDecoder().decode(OrderCommandMessage.self, from: Data(json.utf8))
            if let reason = book.refusal(of: command, partition: 0) { return reason.description }
            var rejected: String?
            for event in engine.handle(command) {
                book.observe(event, command: command, partition: 0)
                if case .report(let r) = event, r.status == "rejected", r.orderID == command.orderID { rejected = r.reason }
            }
            return rejected
        }
    }

    static func order(_ id: String, _ side: String, _ quantity: Int, at price: String? = nil, account: String? = "A1", symbol: String = "AAA") -> String {
        let account = account.map { #","account":"\#($0)""# } ?? ""
        let terms = price.map { #""order_type":"limit","price":"\#($0)""# } ?? #""order_type":"market","time_in_force":"ioc""#
        return #"{"type":"new","order_id":"\#(id)","symbol":"\#(symbol)","side":"\#(side)",\#(terms),"quantity":\#(quantity)\#(account)}"#
    }

    static let accounts = [
        "A1": AccountTerms(portfolioID: "P1", maxPosition: Quantity(100), maxGrossNotional: Price("5000"), maxOpenOrders: 3),
        "B1": AccountTerms(portfolioID: "P2"),
    ]

    @Test func unknownAndMissingAccounts() {
        var desk = Desk(book: AccountBook(accounts: Self.accounts))
        #expect(desk.send(Self.order("x", "buy", 1, at: "10", account: "NOPE")) == "unknown_account")
        #expect(desk.send(Self.order("y", "buy", 1, at: "10", account: nil)) == nil, "market flow without an account trades")
        desk.book.requireAccount = true
        #expect(desk.send(Self.order("z", "buy", 1, at: "10", account: nil)) == "unknown_account")
    }

    @Test func openOrdersPositionAndNotionalLimits() {
        var desk = Desk(book: AccountBook(accounts: Self.accounts))
        #expect(desk.send(Self.order("b1", "buy", 60, at: "10")) == nil)
        #expect(desk.send(Self.order("b2", "buy", 41, at: "10")) == "max_position_exceeded", "60 open + 41 > 100")
        #expect(desk.send(Self.order("b3", "buy", 40, at: "10")) == nil)
        #expect(desk.send(Self.order("s1", "sell", 100, at: "11")) == nil, "the sell side counts its own open orders")
        #expect(desk.send(Self.order("s2", "sell", 1, at: "12")) == "max_open_orders_exceeded")
        #expect(desk.book.openOrderCount("A1") == 3 && desk.book.openQuantity("A1", "AAA") == (100, 100))
        // B1 sells into A1's bids: A1 is long 100 at 10 (1,000 notional).
        #expect(desk.send(Self.order("m1", "sell", 100, account: "B1")) == nil)
        #expect(desk.book.positions["A1"]?["AAA"]?.quantity == 100 && desk.book.positions["B1"]?["AAA"]?.quantity == -100)
        #expect(desk.book.openOrderCount("A1") == 1 && desk.book.openQuantity("A1", "AAA") == (0, 100))
        #expect(desk.send(Self.order("b4", "buy", 1, at: "10")) == "max_position_exceeded", "already long 100")
        // Gross notional: 100 × 10 held; a sell of 100 at 41 adds 4,100 > 5,000 - 1,000.
        #expect(desk.send(#"{"type":"cancel","order_id":"s1","symbol":"AAA"}"#) == nil)
        #expect(desk.send(Self.order("s3", "sell", 100, at: "41")) == "max_gross_notional_exceeded")
        #expect(desk.send(Self.order("s4", "sell", 100, at: "40")) == nil)
    }

    @Test func aModifyThatAddsQuantityIsChecked() {
        var desk = Desk(book: AccountBook(accounts: Self.accounts))
        #expect(desk.send(Self.order("b1", "buy", 60, at: "10")) == nil)
        #expect(desk.send(#"{"type":"modify","order_id":"b1","symbol":"AAA","quantity":101}"#) == "max_position_exceeded")
        #expect(desk.send(#"{"type":"modify","order_id":"b1","symbol":"AAA","quantity":100}"#) == nil)
        #expect(desk.book.openQuantity("A1", "AAA") == (100, 0))
    }

    /// Random orders of three accounts: both sides of every fill move, the positions equal what the
    /// executions say, and an account book rebuilt from the engine has the same open orders.
    @Test(arguments: 0..<20)
    func followsTheEngineAndRebuildsFromIt(seed: Int) {
        var random = SplitMix(seed: UInt64(seed))
        let accounts = ["A", "B", "C"].reduce(into: [String: AccountTerms]()) { $0[$1] = AccountTerms(portfolioID: "P") }
        var desk = Desk(book: AccountBook(accounts: accounts))
        var expected: [String: Int64] = [:]
        var live: [String] = []
        for n in 0..<400 {
            let account = ["A", "B", "C", "A"][Int(random.next() % 4)]
            let command: OrderCommandMessage
            if random.next() % 4 == 0, !live.isEmpty {
                let id = live.remove(at: Int(random.next() % UInt64(live.count)))
                command = OrderCommandMessage(type: .cancel, orderID: id, symbol: "AAA")
            } else {
                let side: Side = random.next() % 2 == 0 ? .buy : .sell
                let market = random.next() % 5 == 0
                command = OrderCommandMessage(
                    type: .new, orderID: "o\(n)", symbol: "AAA", side: side, orderType: market ? .market : .limit,
                    price: market ? nil : Price(units: Int64(95 + random.next() % 10) * Price.scale),
                    quantity: Quantity(Int64(random.next() % 20 + 1)), timeInForce: market ? .ioc : .gtc, account: account)
                live.append("o\(n)")
            }
            for event in desk.engine.handle(command) {
                let parties = desk.book.observe(event, command: command, partition: 0)
                if case .execution(let x) = event {
                    let owner = { (id: String) in String(id.dropFirst()).isEmpty ? nil : id }
                    _ = owner
                    #expect(parties?.maker != nil && parties?.taker != nil)
                    let buyer = x.aggressor == .buy ? parties!.taker! : parties!.maker!
                    let seller = x.aggressor == .buy ? parties!.maker! : parties!.taker!
                    expected[buyer, default: 0] += x.quantity.value
                    expected[seller, default: 0] -= x.quantity.value
                }
            }
        }
        for account in ["A", "B", "C"] {
            #expect((desk.book.positions[account]?["AAA"]?.quantity ?? 0) == (expected[account] ?? 0))
        }
        var rebuilt = AccountBook(accounts: accounts)
        rebuilt.rebuild(partition: 0, from: desk.engine)
        for account in ["A", "B", "C"] {
            #expect(rebuilt.openOrderCount(account) == desk.book.openOrderCount(account), "\(account) open orders")
            #expect(rebuilt.openQuantity(account, "AAA") == desk.book.openQuantity(account, "AAA"), "\(account) open quantity")
        }
        #expect(rebuilt.marks == desk.book.marks)
    }
}
