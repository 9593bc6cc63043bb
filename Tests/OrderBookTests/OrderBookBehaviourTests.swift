import MarketCore
import Testing
@testable import OrderBook

/// Hand-written cases for the rules the issue names, one behaviour each.
@Suite("OrderBook behaviour")
struct OrderBookBehaviourTests {
    static let instrument = Instrument(symbol: Symbol("AAPL")!, tickSize: Price("0.01")!, lotSize: Quantity(10))

    var book = OrderBook(instrument: Self.instrument)
    var nextID: UInt64 = 1

    static func price(_ text: String) -> Price { Price(text)! }

    @discardableResult
    mutating func place(
        _ side: Side, _ price: String?, _ quantity: Int64, tif: TimeInForce = .gtc, postOnly: Bool = false, owner: UInt32 = 0
    ) -> OrderID {
        let id = OrderID(nextID)
        nextID += 1
        book.apply(
            .new(
                NewOrder(
                    id: id, side: side, type: price == nil ? .market : .limit, price: price.map(Self.price) ?? .zero,
                    quantity: Quantity(quantity), timeInForce: tif, postOnly: postOnly, owner: OwnerID(owner))))
        return id
    }

    var reports: [ExecutionReport] { book.events.compactMap { if case .report(let r) = $0 { r } else { nil } } }
    var trades: [Trade] { book.events.compactMap { if case .trade(let t) = $0 { t } else { nil } } }
    var kinds: [ExecutionReport.Kind] { reports.map(\.kind) }

    @Test mutating func priceTimePriorityAndMakerPrice() {
        let first = place(.sell, "10.01", 100)
        let second = place(.sell, "10.01", 100)
        let better = place(.sell, "10.00", 50)
        let taker = place(.buy, "10.02", 200)
        #expect(trades.map(\.makerOrderID) == [better, first, second])
        #expect(trades.map(\.price) == [Self.price("10.00"), Self.price("10.01"), Self.price("10.01")])
        #expect(trades.map(\.quantity.value) == [50, 100, 50])
        #expect(trades.allSatisfy { $0.takerOrderID == taker && $0.aggressor == .buy })
        #expect(kinds == [.accepted, .filled, .partiallyFilled, .filled, .partiallyFilled, .partiallyFilled, .filled])
        #expect(book.bestAsk == DepthLevel(price: Self.price("10.01"), quantity: Quantity(50), orderCount: 1))
        #expect(book.bestBid == nil)
        let sequences = book.events.map(\.sequence)
        #expect(sequences == Array(sequences.first!..<(sequences.first! + UInt64(sequences.count))))
    }

    @Test(arguments: [
        (Int64(0), "10.00", Reason.invalidQuantity), (-10, "10.00", .invalidQuantity), (15, "10.00", .quantityNotLotMultiple),
        (10, "10.005", .priceNotOnTick), (10, "0", .invalidPrice), (10, "-1", .invalidPrice),
    ])
    mutating func badOrdersAreRejectedWithoutChangingTheBook(quantity: Int64, price: String, reason: Reason) {
        place(.buy, "9.00", 10)
        let before = book.allOrders()
        place(.buy, price, quantity)
        #expect(reports.map(\.reason) == [reason])
        #expect(kinds == [.rejected])
        #expect(book.allOrders() == before)
        #expect(BookInvariants.violations(book).isEmpty)
    }

    @Test mutating func duplicateUnknownAndMarketOnEmptySide() {
        let id = place(.buy, "9.00", 10)
        book.apply(.new(NewOrder(id: id, side: .sell, price: Self.price("11.00"), quantity: Quantity(10))))
        #expect(reports.map(\.reason) == [.duplicateOrderID])
        book.apply(.cancel(OrderID(999)))
        #expect(reports.map(\.reason) == [.unknownOrder])
        place(.buy, nil, 10)
        #expect(reports.map(\.reason) == [.noLiquidity])
        book.apply(.cancel(id))
        book.apply(.cancel(id))
        #expect(reports.map(\.reason) == [.unknownOrder])
        book.apply(.modify(ModifyOrder(id: id, quantity: Quantity(20))))
        #expect(reports.map(\.reason) == [.unknownOrder])
    }

    @Test mutating func iocAndMarketCancelTheirRemainder() {
        place(.sell, "10.00", 30)
        place(.buy, "10.00", 50, tif: .ioc)
        #expect(kinds == [.accepted, .filled, .partiallyFilled, .cancelled])
        #expect(reports.last?.reason == .immediateOrCancel && reports.last?.filledQuantity.value == 30)
        place(.sell, "10.00", 30)
        place(.buy, nil, 50, tif: .gtc)
        #expect(kinds.last == .cancelled)
        #expect(book.orderCount == 0)
    }

    @Test mutating func fillOrKillIsAllOrNothing() {
        place(.sell, "10.00", 30)
        place(.sell, "10.01", 30)
        place(.buy, "10.01", 70, tif: .fok)
        #expect(kinds == [.accepted, .cancelled] && reports.last?.reason == .fillOrKill)
        #expect(book.orderCount == 2)
        place(.buy, "10.01", 60, tif: .fok)
        #expect(trades.count == 2 && book.orderCount == 0)
    }

    @Test mutating func postOnlyRejectOrReprice() {
        place(.sell, "10.00", 10)
        place(.buy, "10.00", 10, postOnly: true)
        #expect(reports.map(\.reason) == [.wouldCross])
        place(.buy, "10.00", 10, tif: .ioc, postOnly: true)
        #expect(reports.map(\.reason) == [.invalidPostOnly])

        book = OrderBook(instrument: Self.instrument, configuration: .init(postOnlyPolicy: .reprice))
        place(.sell, "10.00", 10)
        let id = place(.buy, "10.05", 10, postOnly: true)
        #expect(kinds == [.accepted] && reports[0].price == Self.price("9.99"))
        #expect(book.order(id)?.price == Self.price("9.99"))
        book.apply(.modify(ModifyOrder(id: id, price: Self.price("10.00"))))
        #expect(reports.map(\.reason) == [.wouldCross])
    }

    @Test mutating func modifyKeepsPriorityOnlyWhenShrinking() {
        let a = place(.buy, "10.00", 50)
        let b = place(.buy, "10.00", 50)
        book.apply(.modify(ModifyOrder(id: a, quantity: Quantity(20))))
        #expect(book.orders(.buy, at: Self.price("10.00")).map(\.id) == [a, b])
        book.apply(.modify(ModifyOrder(id: a, quantity: Quantity(30))))
        #expect(book.orders(.buy, at: Self.price("10.00")).map(\.id) == [b, a])
        book.apply(.modify(ModifyOrder(id: b, price: Self.price("10.01"))))
        book.apply(.modify(ModifyOrder(id: b, price: Self.price("10.00"))))
        #expect(book.orders(.buy, at: Self.price("10.00")).map(\.id) == [a, b])
        #expect(kinds == [.replaced])
    }

    @Test mutating func modifyThatCrossesTrades() {
        let ask = place(.sell, "10.02", 20)
        let bid = place(.buy, "10.00", 50)
        book.apply(.modify(ModifyOrder(id: bid, price: Self.price("10.02"))))
        #expect(kinds == [.replaced, .filled, .partiallyFilled])
        #expect(trades.map(\.makerOrderID) == [ask] && trades[0].takerOrderID == bid)
        #expect(book.bestBid == DepthLevel(price: Self.price("10.02"), quantity: Quantity(30), orderCount: 1))
    }

    @Test mutating func selfTradePrevention() {
        book = OrderBook(instrument: Self.instrument, configuration: .init(selfTradePrevention: .cancelResting))
        let own = place(.sell, "10.00", 10, owner: 7)
        let other = place(.sell, "10.00", 10, owner: 8)
        place(.buy, "10.00", 10, owner: 7)
        #expect(kinds == [.accepted, .cancelled, .filled, .filled])
        #expect(reports[1].orderID == own && reports[1].reason == .selfTrade && trades[0].makerOrderID == other)

        book = OrderBook(instrument: Self.instrument, configuration: .init(selfTradePrevention: .cancelIncoming))
        place(.sell, "10.00", 10, owner: 7)
        place(.buy, "10.00", 10, owner: 7)
        #expect(kinds == [.accepted, .cancelled] && reports[1].reason == .selfTrade && book.orderCount == 1)
        place(.buy, "10.00", 10, owner: 0)
        #expect(trades.count == 1)
    }

    @Test mutating func endOfDayExpiresDayOrdersOnly() {
        let day = place(.buy, "10.00", 10, tif: .day)
        place(.buy, "10.00", 10, tif: .gtc)
        let daySell = place(.sell, "11.00", 10, tif: .day)
        book.endOfDay()
        #expect(reports.map(\.orderID) == [day, daySell] && kinds == [.expired, .expired])
        #expect(book.orderCount == 1)
    }

    /// Prices at the top of Int64's range must not trap anywhere.
    @Test func extremePricesDoNotOverflow() {
        let fine = Instrument(symbol: Symbol("X")!, tickSize: Price(units: 1), lotSize: Quantity(1))
        var book = OrderBook(instrument: fine, configuration: .init(postOnlyPolicy: .reprice))
        let top = Price(units: .max)
        book.apply(.new(NewOrder(id: OrderID(1), side: .buy, price: top, quantity: Quantity(1))))
        book.apply(.new(NewOrder(id: OrderID(2), side: .sell, price: Price(units: 1), quantity: Quantity(1), postOnly: true)))
        #expect(book.events.count == 1 && { if case .report(let r) = book.events[0] { r.reason == .wouldCross } else { false } }())
        book.apply(.cancel(OrderID(1)))
        book.apply(.new(NewOrder(id: OrderID(3), side: .buy, price: Price(units: .max - 2), quantity: Quantity(1))))
        book.apply(.new(NewOrder(id: OrderID(4), side: .sell, price: top, quantity: Quantity(1))))
        #expect(book.mid == Price(units: .max - 1))
        #expect(book.fillEstimate(.buy, quantity: Quantity(OrderBook.maxQuantity)).quantity.value == 1)
        #expect(BookInvariants.violations(book).isEmpty)
    }

    @Test mutating func queries() {
        place(.buy, "10.00", 100)
        place(.buy, "10.00", 50)
        place(.buy, "9.98", 30)
        place(.sell, "10.02", 40)
        place(.sell, "10.05", 60)
        #expect(book.spread == Self.price("0.02"))
        #expect(book.mid == Self.price("10.01"))
        #expect(book.depth(.buy, levels: 1) == [DepthLevel(price: Self.price("10.00"), quantity: Quantity(150), orderCount: 2)])
        #expect(book.depth(.sell).map(\.price) == [Self.price("10.02"), Self.price("10.05")])
        #expect(book.orders(.buy, at: Self.price("10.00")).map(\.leavesQuantity.value) == [100, 50])
        let estimate = book.fillEstimate(.buy, quantity: Quantity(70))
        #expect(estimate.quantity.value == 70 && estimate.worstPrice == Self.price("10.05"))
        #expect(abs(estimate.averagePrice! - (40 * 10.02 + 30 * 10.05) / 70) < 1e-9)
        #expect(book.fillEstimate(.sell, quantity: Quantity(1000)).quantity.value == 180)
        #expect(book.imbalance(levels: 1) == (150.0 - 40) / 190)
        #expect(OrderBook(instrument: Self.instrument).imbalance() == nil)
    }
}
