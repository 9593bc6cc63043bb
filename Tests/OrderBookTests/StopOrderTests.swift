import MarketCore
import Testing
@testable import OrderBook

/// One test per stop rule of docs/orderbook.md ("Stop orders"): when each kind wakes, what it
/// becomes, the cascade order, cancel/modify while dormant, expiry and snapshots.
@Suite("Stop orders")
struct StopOrderTests {
    static let instrument = Instrument(symbol: Symbol("AAPL")!, tickSize: Price("0.01")!, lotSize: Quantity(1))

    var book = OrderBook(instrument: Self.instrument)
    var nextID: UInt64 = 1

    static func price(_ text: String) -> Price { Price(text)! }

    @discardableResult
    mutating func place(_ side: Side, _ price: String?, _ quantity: Int64, tif: TimeInForce = .gtc) -> OrderID {
        submit(NewOrder(
            id: OrderID(0), side: side, type: price == nil ? .market : .limit, price: price.map(Self.price) ?? .zero,
            quantity: Quantity(quantity), timeInForce: tif))
    }

    @discardableResult
    mutating func stop(
        _ side: Side, _ type: OrderType, _ trigger: StopTrigger?, limit: String? = nil, _ quantity: Int64 = 10,
        tif: TimeInForce = .gtc
    ) -> OrderID {
        submit(NewOrder(
            id: OrderID(0), side: side, type: type, price: limit.map(Self.price) ?? .zero, quantity: Quantity(quantity),
            timeInForce: tif, trigger: trigger))
    }

    mutating func submit(_ order: NewOrder) -> OrderID {
        var order = order
        order.id = OrderID(nextID)
        nextID += 1
        book.apply(.new(order))
        return order.id
    }

    /// A trade at `price`: a resting sell and a buy that takes it (ids not returned).
    mutating func trade(at price: String, _ quantity: Int64 = 1) {
        place(.sell, price, quantity)
        place(.buy, price, quantity)
    }

    static func at(_ text: String) -> StopTrigger { .price(Self.price(text)) }

    var reports: [ExecutionReport] { book.events.compactMap { if case .report(let r) = $0 { r } else { nil } } }
    var trades: [Trade] { book.events.compactMap { if case .trade(let t) = $0 { t } else { nil } } }
    func kinds(of id: OrderID) -> [ExecutionReport.Kind] { reports.filter { $0.orderID == id }.map(\.kind) }

    @Test mutating func buyStopWakesWhenTheLastTradeReachesItsTrigger() {
        trade(at: "10.00")
        let stop = stop(.buy, .stop, Self.at("10.05"))
        #expect(kinds(of: stop) == [.dormant])
        #expect(book.contains(stop) && book.stopCount == 1 && book.orderCount == 0)
        place(.sell, "10.10", 50)
        trade(at: "10.04")
        #expect(book.stopCount == 1)
        trade(at: "10.05")
        // Enters as a market order and takes the 10.10 offer.
        #expect(kinds(of: stop) == [.triggered, .filled])
        #expect(trades.last?.takerOrderID == stop && trades.last?.price == Self.price("10.10"))
        #expect(book.stopCount == 0 && !book.contains(stop))
    }

    @Test mutating func sellStopWakesAtOrBelowItsTrigger() {
        trade(at: "10.00")
        let stop = stop(.sell, .stop, Self.at("9.95"))
        place(.buy, "9.90", 50)
        trade(at: "9.96")
        #expect(book.stopCount == 1)
        trade(at: "9.94")
        #expect(kinds(of: stop) == [.triggered, .filled])
        #expect(trades.last?.price == Self.price("9.90"))
    }

    @Test mutating func stopLimitRestsAsALimitOrderWithTheTriggerTimePriority() {
        trade(at: "10.00")
        let early = place(.buy, "9.98", 5)
        let stop = stop(.sell, .stopLimit, Self.at("9.99"), limit: "10.02", 7)
        let later = place(.sell, "10.02", 5)
        trade(at: "9.99")
        #expect(kinds(of: stop) == [.triggered])
        #expect(reports.last?.price == Self.price("10.02") && reports.last?.leavesQuantity.value == 7)
        // It joined the 10.02 level behind the order that was already resting there.
        #expect(book.orders(.sell, at: Self.price("10.02")).map(\.id) == [later, stop])
        #expect(book.contains(early))
    }

    @Test mutating func trailingSellFollowsTheHighAndWakesOnTheDrop() {
        trade(at: "10.00")
        let stop = stop(.sell, .trailingStop, .trailAmount(Self.price("0.10")))
        #expect(book.dormantStops().first?.triggerPrice == Self.price("9.90"))
        trade(at: "10.20")
        #expect(book.dormantStops().first?.triggerPrice == Self.price("10.10"))
        trade(at: "10.15")  // a fall that does not reach the trigger leaves it where it is
        #expect(book.dormantStops().first?.triggerPrice == Self.price("10.10") && book.stopCount == 1)
        place(.buy, "10.00", 50)
        trade(at: "10.10")
        #expect(kinds(of: stop) == [.triggered, .filled])
        #expect(trades.last?.takerOrderID == stop && trades.last?.price == Self.price("10.00"))
    }

    @Test mutating func trailingBuyByPercentFollowsTheLow() {
        trade(at: "100.00")
        let stop = stop(.buy, .trailingStop, .trailPercent(Self.price("2")))
        #expect(book.dormantStops().first?.triggerPrice == Self.price("102.00"))
        trade(at: "90.00")
        #expect(book.dormantStops().first?.triggerPrice == Self.price("91.80"))
        place(.sell, "95.00", 50)
        trade(at: "91.79")
        #expect(book.stopCount == 1)
        trade(at: "91.80")
        #expect(kinds(of: stop) == [.triggered, .filled])
    }

    @Test mutating func trailingStopWithoutATradeWaitsForTheFirst() {
        let stop = stop(.sell, .trailingStop, .trailAmount(Self.price("1")))
        #expect(book.dormantStops().first?.triggerPrice == nil)
        trade(at: "10.00")
        #expect(book.dormantStops().first?.triggerPrice == Self.price("9.00"))
        #expect(book.contains(stop))
    }

    @Test mutating func aStopPastItsTriggerWakesAtOnce() {
        trade(at: "10.00")
        place(.sell, "10.50", 5)
        let stop = stop(.buy, .stop, Self.at("9.50"), 5)
        #expect(kinds(of: stop) == [.dormant, .triggered, .filled])
    }

    @Test mutating func oneTradeWakesStopsInAcceptanceOrderAndTheirTradesCascade() {
        trade(at: "10.00")
        let first = stop(.sell, .stop, Self.at("9.90"), 5)
        let second = stop(.sell, .stop, Self.at("9.95"), 5)
        let third = stop(.sell, .stop, Self.at("9.80"), 5)
        place(.buy, "9.90", 10)
        place(.buy, "9.80", 10)
        place(.sell, "9.90", 1)  // trades at 9.90: wakes `first` and `second`, in acceptance order
        let triggered = reports.filter { $0.kind == .triggered }.map(\.orderID)
        // `first` and `second` fill at 9.90 (9 left there, then 4), then at 9.80, which wakes `third`.
        #expect(triggered == [first, second, third])
        #expect(trades.map(\.price) == ["9.90", "9.90", "9.90", "9.80", "9.80"].map(Self.price))
        #expect(book.stopCount == 0)
        let sequences = book.events.map(\.sequence)
        #expect(sequences == Array(sequences.first!..<(sequences.first! + UInt64(sequences.count))))
    }

    @Test mutating func stopMarketWithoutLiquidityIsCancelled() {
        trade(at: "10.00")
        let stop = stop(.buy, .stop, Self.at("10.00"))
        #expect(kinds(of: stop) == [.dormant, .triggered, .cancelled])
        #expect(reports.last?.reason == .noLiquidity)
    }

    @Test mutating func cancelAndModifyWhileDormant() {
        trade(at: "10.00")
        let stop = stop(.sell, .stopLimit, Self.at("9.50"), limit: "9.40", 10)
        book.apply(.modify(ModifyOrder(id: stop, price: Self.price("9.45"), quantity: Quantity(20))))
        #expect(kinds(of: stop) == [.replaced] && reports[0].leavesQuantity.value == 20 && reports[0].price == Self.price("9.45"))
        book.apply(.modify(ModifyOrder(id: stop, stopPrice: Self.price("9.501"))))
        #expect(reports.map(\.reason) == [.invalidStopPrice])
        book.apply(.modify(ModifyOrder(id: stop, stopPrice: Self.price("10.00"))))  // reached already: wakes
        #expect(kinds(of: stop) == [.replaced, .triggered])
        #expect(book.orders(.sell, at: Self.price("9.45")).map(\.leavesQuantity.value) == [20])

        let other = self.stop(.buy, .stop, Self.at("11.00"))
        book.apply(.cancel(other))
        #expect(kinds(of: other) == [.cancelled] && reports[0].reason == .requested && !book.contains(other))
        book.apply(.cancel(other))
        #expect(reports[0].reason == .unknownOrder)
    }

    @Test mutating func invalidStopsAreRejected() {
        let missing = stop(.buy, .stop, nil)
        #expect(kinds(of: missing) == [.rejected] && reports[0].reason == .invalidStopPrice)
        stop(.buy, .stop, Self.at("10.001"))
        #expect(reports[0].reason == .invalidStopPrice)
        stop(.buy, .stopLimit, Self.at("10.00"))
        #expect(reports[0].reason == .invalidPrice)
        stop(.buy, .trailingStop, Self.at("10.00"))
        #expect(reports[0].reason == .invalidTrail)
        stop(.buy, .trailingStop, .trailPercent(Self.price("100")))
        #expect(reports[0].reason == .invalidTrail)
        let live = stop(.buy, .stop, Self.at("11.00"))
        book.apply(.new(NewOrder(id: live, side: .buy, price: Self.price("1"), quantity: Quantity(1))))
        #expect(reports[0].reason == .duplicateOrderID)
    }

    @Test mutating func dayStopsExpireAfterTheRestingDayOrders() {
        let resting = place(.buy, "9.00", 5, tif: .day)
        let dayStop = stop(.sell, .stop, Self.at("8.00"), tif: .day)
        let gtcStop = stop(.sell, .stop, Self.at("8.00"))
        book.endOfDay()
        #expect(reports.map(\.orderID) == [resting, dayStop] && reports.allSatisfy { $0.kind == .expired })
        #expect(book.contains(gtcStop) && !book.contains(dayStop))
    }

    @Test mutating func snapshotsKeepDormantStopsTrailsAndTheLastTrade() throws {
        trade(at: "10.00")
        stop(.sell, .trailingStop, .trailPercent(Self.price("1.5")))
        stop(.buy, .stopLimit, Self.at("10.50"), limit: "10.60", 3, tif: .day)
        stop(.buy, .trailingStop, .trailAmount(Self.price("0.25")))
        trade(at: "10.40")
        place(.buy, "9.00", 100)
        let bytes = book.snapshot()
        var copy = try OrderBook(restoring: bytes, instrument: Self.instrument)
        #expect(copy.snapshot() == bytes)
        #expect(copy.dormantStops() == book.dormantStops() && copy.lastTradePrice == book.lastTradePrice)
        // Both go on identically.
        for command in [OrderCommand.new(NewOrder(id: OrderID(900), side: .sell, price: Self.price("10.60"), quantity: Quantity(50))),
                        .new(NewOrder(id: OrderID(901), side: .buy, type: .market, quantity: Quantity(10))), .endOfDay] {
            book.apply(command)
            copy.apply(command)
            #expect(copy.events == book.events)
        }
    }

    @Test func versionOneSnapshotsStillRestore() throws {
        var book = OrderBook(instrument: Self.instrument)
        book.apply(.new(NewOrder(id: OrderID(1), side: .buy, price: Self.price("9.00"), quantity: Quantity(5))))
        // A version 1 snapshot is a version 2 one without the last trade and the stop count.
        var v1 = Array(book.snapshot().dropLast(8 + 12))
        v1[4] = 1
        var checksum = SnapshotWriter()
        checksum.put(fnv1a(v1[...]))
        v1 += checksum.bytes
        let restored = try OrderBook(restoring: v1, instrument: Self.instrument)
        #expect(restored.snapshot() == book.snapshot())
    }
}
