import MarketCore
import OrderBook
import Risk

/// The command mixes of `quant bench orderbook`, generated up front so that generation costs nothing
/// in the timed loop, and reproducible from their seed.
///
/// **Standard** (`Mix.standard`): a prefill rests `restingOrders` limit orders spread uniformly over `levelsPerSide` price levels on
/// each side of 100.00. Then every command is, by a fair draw: 60% a new GTC limit order 0–9 ticks
/// behind its own best price (near the touch, never crossing), 30% a cancel of a resting order
/// (half picked from the 4,096 newest orders, half from all orders ever placed, so both the busy
/// touch and the deep book are hit), 10% a marketable order (half market, half IOC limits up to two
/// ticks through the touch) for 1–200 lots. Generation runs the commands through a real book so that
/// cancels name live orders and prices follow the moving touch.
///
/// **exchange-core's** (`Mix.exchangeCore`), as its README describes its single-book benchmark: about
/// 1,000 resting orders over about 750 price slots; 9% new GTC limits, 3% IOC orders, 6% cancels and
/// 82% moves (a resting order's price changed, losing its place), about 6% of commands trading. Here a
/// sixth of the GTC orders cross the touch by 0–2 ticks and every IOC order (1–30 lots, resting
/// orders have 1–100) is marketable; moves go
/// 1–5 ticks either way but never through the touch; the book is kept near its size by turning a
/// cancel into a new order below 90% of it and a new order into a cancel above 110%.
public struct OrderBookWorkload {
    public enum Mix: String, Sendable, CaseIterable { case standard, exchangeCore = "exchange-core" }

    public struct Parameters: Sendable {
        public var mix: Mix
        public var restingOrders: Int
        public var commands: Int
        public var levelsPerSide: Int
        public var seed: UInt64

        public init(mix: Mix = .standard, restingOrders: Int, commands: Int, levelsPerSide: Int, seed: UInt64) {
            (self.mix, self.restingOrders, self.commands, self.levelsPerSide, self.seed) = (mix, restingOrders, commands, levelsPerSide, seed)
        }

        /// The documented workload (docs/benchmarks.md): 1M resting orders over 2,000 levels a side, 2M commands.
        public static let standard = Parameters(restingOrders: 1_000_000, commands: 2_000_000, levelsPerSide: 2_000, seed: 1)
        /// exchange-core's published configuration: 1,000 orders over 750 slots, 3M commands.
        public static let exchangeCore = Parameters(mix: .exchangeCore, restingOrders: 1_000, commands: 3_000_000, levelsPerSide: 375, seed: 1)
    }

    static let instrument = Instrument(symbol: Symbol("BENCH")!, tickSize: Price("0.01")!, lotSize: Quantity(1))

    let parameters: Parameters
    let prefill: [OrderCommand]
    let commands: [OrderCommand]

    /// Orders the book may hold at once during the run (prefill plus growth), for reserving capacity.
    var expectedOrders: Int { parameters.restingOrders + parameters.commands / 3 + 1024 }

    /// The bytes the book's run touches once reserved: 48-byte order nodes and the id ring's 4-byte
    /// slots (a power of two, at least twice the orders; the ids of this run all stay in the ring,
    /// so its older-id table, reserved too, is never read).
    var footprintBytes: Int { expectedOrders * 48 + (1 << (Int.bitWidth - (2 * expectedOrders - 1).leadingZeroBitCount)) * 4 }

    init(_ parameters: Parameters) {
        self.parameters = parameters
        var random = Xoshiro256StarStar(seed: parameters.seed)
        let tick = Self.instrument.tickSize.units
        let mid: Int64 = 10_000
        var nextID: UInt64 = 1
        var prefill: [OrderCommand] = []
        prefill.reserveCapacity(parameters.restingOrders)
        for i in 0..<parameters.restingOrders {
            let side: Side = i % 2 == 0 ? .buy : .sell
            let offset = 1 + Int64(random.below(parameters.levelsPerSide))
            let ticks = side == .buy ? mid - offset : mid + offset
            prefill.append(
                .new(NewOrder(id: OrderID(nextID), side: side, price: Price(units: ticks * tick), quantity: Quantity(Int64(1 + random.below(100))))))
            nextID += 1
        }

        var book = OrderBook(instrument: Self.instrument, expectedOrders: parameters.restingOrders + parameters.commands / 3)
        for command in prefill { book.apply(command) }
        self.prefill = prefill
        if parameters.mix == .exchangeCore {
            commands = Self.exchangeCoreCommands(parameters, prefill: prefill, book: &book, random: &random, nextID: nextID)
            return
        }
        var recent = [OrderID](repeating: OrderID(1), count: 4096)
        var commands: [OrderCommand] = []
        commands.reserveCapacity(parameters.commands)
        for _ in 0..<parameters.commands {
            let roll = random.below(100)
            let side: Side = random.below(2) == 0 ? .buy : .sell
            let command: OrderCommand
            if roll < 60 {
                let ownBest = (side == .buy ? book.bestBid : book.bestAsk)?.price.units ?? (mid + (side == .buy ? -1 : 1)) * tick
                let offset = Int64(random.below(10)) * tick
                var price = side == .buy ? ownBest - offset : ownBest + offset
                if let opposite = (side == .buy ? book.bestAsk : book.bestBid)?.price.units {
                    price = side == .buy ? min(price, opposite - tick) : max(price, opposite + tick)
                }
                let id = OrderID(nextID)
                nextID += 1
                recent[Int(id.rawValue % 4096)] = id
                command = .new(NewOrder(id: id, side: side, price: Price(units: max(tick, price)), quantity: Quantity(Int64(1 + random.below(100)))))
            } else if roll < 90 {
                var id = OrderID(0)
                for _ in 0..<16 {
                    id = random.below(2) == 0 ? recent[random.below(recent.count)] : OrderID(1 + UInt64(random.below(Int(nextID - 1))))
                    if book.contains(id) { break }
                }
                command = .cancel(id)
            } else {
                let market = random.below(2) == 0
                let opposite = (side == .buy ? book.bestAsk : book.bestBid)?.price.units ?? mid * tick
                let through = Int64(random.below(3)) * tick
                command = .new(
                    NewOrder(
                        id: OrderID(nextID), side: side, type: market ? .market : .limit,
                        price: Price(units: side == .buy ? opposite + through : max(tick, opposite - through)),
                        quantity: Quantity(Int64(1 + random.below(200))), timeInForce: .ioc))
                nextID += 1
            }
            book.apply(command)
            commands.append(command)
        }
        self.commands = commands
    }

    /// exchange-core's mix (see the type's comment), run through `book` as it is generated.
    static func exchangeCoreCommands(_ parameters: Parameters, prefill: [OrderCommand], book: inout OrderBook,
                                     random: inout Xoshiro256StarStar, nextID: UInt64) -> [OrderCommand] {
        let tick = instrument.tickSize.units
        var nextID = nextID
        // Resting orders by id (side and price), and their ids for a uniform pick; filled ones are
        // dropped when picked.
        var live: [OrderID] = (1..<nextID).map { OrderID($0) }
        var terms: [OrderID: (side: Side, price: Int64)] = [:]
        for case .new(let order) in prefill { terms[order.id] = (order.side, order.price.units) }
        func pickLive() -> OrderID? {
            while !live.isEmpty {
                let i = random.below(live.count)
                let id = live[i]
                if book.contains(id) { return id }
                live.swapAt(i, live.count - 1)
                live.removeLast()
                terms[id] = nil
            }
            return nil
        }
        var commands: [OrderCommand] = []
        commands.reserveCapacity(parameters.commands)
        let low = parameters.restingOrders * 9 / 10, high = parameters.restingOrders * 11 / 10
        for _ in 0..<parameters.commands {
            var roll = random.below(100)
            if roll < 9, book.orderCount > high { roll = 12 }  // too many resting: cancel instead
            if (12..<18).contains(roll), book.orderCount < low { roll = 0 }  // too few: a new order instead
            let side: Side = random.below(2) == 0 ? .buy : .sell
            let ownBest = (side == .buy ? book.bestBid : book.bestAsk)?.price.units
            let opposite = (side == .buy ? book.bestAsk : book.bestBid)?.price.units
            var command: OrderCommand
            if roll < 12 {
                let immediate = roll >= 9
                var price: Int64
                if let opposite, immediate || random.below(6) == 0 {
                    let through = Int64(random.below(3)) * tick
                    price = side == .buy ? opposite + through : opposite - through
                } else {
                    let base = ownBest ?? (10_000 + (side == .buy ? -1 : 1)) * tick
                    let behind = Int64(random.below(10)) * tick
                    price = side == .buy ? base - behind : base + behind
                    if let opposite { price = side == .buy ? min(price, opposite - tick) : max(price, opposite + tick) }
                }
                let id = OrderID(nextID)
                nextID += 1
                price = max(tick, price)
                command = .new(NewOrder(id: id, side: side, price: Price(units: price), quantity: Quantity(Int64(1 + random.below(immediate ? 30 : 100))),
                                        timeInForce: immediate ? .ioc : .gtc))
                book.apply(command)
                if !immediate, book.contains(id) {
                    live.append(id)
                    terms[id] = (side, price)
                }
            } else if roll >= 18, let id = pickLive(), let (orderSide, price) = terms[id] {
                let step = Int64(1 + random.below(5)) * tick
                var moved = random.below(2) == 0 ? price - step : price + step
                let facing = (orderSide == .buy ? book.bestAsk : book.bestBid)?.price.units
                if let facing { moved = orderSide == .buy ? min(moved, facing - tick) : max(moved, facing + tick) }
                moved = max(tick, moved)
                command = .modify(ModifyOrder(id: id, price: Price(units: moved)))
                book.apply(command)
                terms[id] = (orderSide, moved)
            } else {  // a cancel, or a move with no order left to move
                command = .cancel((roll < 18 ? pickLive() : nil) ?? OrderID(1))
                book.apply(command)
            }
            commands.append(command)
        }
        return commands
    }

    /// A fresh book holding the prefill, with capacity reserved for the whole run.
    func prefilledBook() -> OrderBook {
        var book = OrderBook(instrument: Self.instrument, expectedOrders: expectedOrders)
        for command in prefill { book.apply(command) }
        return book
    }
}

extension Xoshiro256StarStar {
    /// Uniform in `0..<bound`; the modulo bias is irrelevant for drawing a benchmark mix.
    fileprivate mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
