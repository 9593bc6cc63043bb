import MarketCore
import OrderBook
import Risk

/// The command mix of `quant bench orderbook`, generated up front so that generation costs nothing
/// in the timed loop, and reproducible from its seed.
///
/// A prefill rests `restingOrders` limit orders spread uniformly over `levelsPerSide` price levels on
/// each side of 100.00. Then every command is, by a fair draw: 60% a new GTC limit order 0–9 ticks
/// behind its own best price (near the touch, never crossing), 30% a cancel of a resting order
/// (half picked from the 4,096 newest orders, half from all orders ever placed, so both the busy
/// touch and the deep book are hit), 10% a marketable order (half market, half IOC limits up to two
/// ticks through the touch) for 1–200 lots. Generation runs the commands through a real book so that
/// cancels name live orders and prices follow the moving touch.
public struct OrderBookWorkload {
    public struct Parameters: Sendable {
        public var restingOrders = 1_000_000
        public var commands = 2_000_000
        public var levelsPerSide = 2_000
        public var seed: UInt64 = 1

        public init(restingOrders: Int, commands: Int, levelsPerSide: Int, seed: UInt64) {
            (self.restingOrders, self.commands, self.levelsPerSide, self.seed) = (restingOrders, commands, levelsPerSide, seed)
        }
    }

    static let instrument = Instrument(symbol: Symbol("BENCH")!, tickSize: Price("0.01")!, lotSize: Quantity(1))

    let parameters: Parameters
    let prefill: [OrderCommand]
    let commands: [OrderCommand]

    /// Orders the book may hold at once during the run (prefill plus growth), for reserving capacity.
    var expectedOrders: Int { parameters.restingOrders + parameters.commands / 3 + 1024 }

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
        self.prefill = prefill
        self.commands = commands
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
