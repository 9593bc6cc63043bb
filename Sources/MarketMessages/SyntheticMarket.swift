import MarketCore

/// A deterministic source of realistic wire messages for `quant feed`, the demo and benchmarks:
/// random-walk mids, spreads of one to a few ticks, trade prints at the touch, and order flow
/// around the touch (60% new limit orders near the best prices, 30% cancels of live orders,
/// 10% marketable orders). The caller supplies the time, so the generator stays pure.
public struct SyntheticMarket: Sendable {
    public struct Message: Sendable {
        public var topic: String
        public var key: String
        public var value: [UInt8]

        public init(topic: String, key: String, value: [UInt8]) {
            self.topic = topic
            self.key = key
            self.value = value
        }
    }

    public struct Mix: Sendable {
        /// Relative weights of quotes, trade prints and order commands.
        public var quotes: Int
        public var trades: Int
        public var orders: Int

        public init(quotes: Int = 6, trades: Int = 2, orders: Int = 2) {
            self.quotes = quotes
            self.trades = trades
            self.orders = orders
        }

        public static let quotesOnly = Mix(quotes: 1, trades: 0, orders: 0)
    }

    struct SymbolState: Sendable {
        var symbol: Symbol
        var midTicks: Int64
        var liveOrders: [String] = []
    }

    public let tickUnits: Int64
    public var mix: Mix
    /// Accounts new orders are sent for, one drawn at random per order ("" for none); empty: no
    /// order names an account (and the random sequence is the one it always was).
    public var accounts: [String] = []
    /// Send a third of the limit orders as `day` orders; off: all `gtc` (and the random sequence
    /// is the one it always was).
    public var dayOrders = false
    private var generator: SplitMix64
    private var symbols: [SymbolState]
    private var nextOrder = 0
    private let prefix: String

    /// - Parameters:
    ///   - symbols: instruments and their starting prices.
    ///   - tickSize: price increment of every symbol.
    ///   - orderPrefix: prefix of generated order ids, so several feeds never collide.
    public init(symbols: [(Symbol, Price)], tickSize: Price = Price(units: 1_000_000), mix: Mix = Mix(),
                seed: UInt64 = 42, orderPrefix: String = "f") {
        precondition(!symbols.isEmpty && tickSize.units > 0)
        tickUnits = tickSize.units
        self.mix = mix
        generator = SplitMix64(seed: seed)
        prefix = orderPrefix
        self.symbols = symbols.map { SymbolState(symbol: $0.0, midTicks: max(100, $0.1.units / tickSize.units)) }
    }

    public mutating func next(at ts: Timestamp) -> Message {
        let i = Int(random() % UInt64(symbols.count))
        let total = UInt64(mix.quotes + mix.trades + mix.orders)
        let roll = random() % max(total, 1)
        if roll < UInt64(mix.quotes) { return quote(i, ts) }
        if roll < UInt64(mix.quotes + mix.trades) { return trade(i, ts) }
        return order(i)
    }

    // MARK: kinds

    private mutating func quote(_ i: Int, _ ts: Timestamp) -> Message {
        walk(i)
        let s = symbols[i]
        let half = Int64(1 + random() % 2)
        let q = QuoteMessage(
            symbol: s.symbol, ts: ts,
            bid: Price(units: (s.midTicks - half) * tickUnits), ask: Price(units: (s.midTicks + half) * tickUnits),
            bidSize: Int64(1 + random() % 50) * 100, askSize: Int64(1 + random() % 50) * 100)
        return Message(topic: "md.quotes", key: s.symbol.rawValue, value: MessageEncoder.quote(q))
    }

    private mutating func trade(_ i: Int, _ ts: Timestamp) -> Message {
        let s = symbols[i]
        let atAsk = random() % 2 == 0
        let t = TradePrintMessage(
            symbol: s.symbol, ts: ts, price: Price(units: (s.midTicks + (atAsk ? 1 : -1)) * tickUnits),
            size: Int64(1 + random() % 20) * 10)
        return Message(topic: "md.trades", key: s.symbol.rawValue, value: MessageEncoder.tradePrint(t))
    }

    private mutating func order(_ i: Int) -> Message {
        let symbol = symbols[i].symbol.rawValue
        let roll = random() % 10
        if roll < 3, !symbols[i].liveOrders.isEmpty {
            let k = Int(random() % UInt64(symbols[i].liveOrders.count))
            symbols[i].liveOrders.swapAt(k, symbols[i].liveOrders.count - 1)
            let id = symbols[i].liveOrders.removeLast()
            return Message(topic: "orders.commands", key: symbol, value: Array(#"{"type":"cancel","v":1,"order_id":"\#(id)","symbol":"\#(symbol)"}"#.utf8))
        }
        nextOrder += 1
        let id = "\(prefix)\(nextOrder)"
        let buy = random() % 2 == 0
        let quantity = (1 + random() % 10) * 10
        let mid = symbols[i].midTicks
        let body: String
        if roll == 9 {
            body = #""order_type":"market","quantity":\#(quantity),"time_in_force":"ioc""#
        } else {
            // Near the touch: up to 5 ticks behind the best price on the order's own side.
            let ticks = buy ? mid - 1 - Int64(random() % 5) : mid + 1 + Int64(random() % 5)
            let tif = dayOrders && random() % 3 == 0 ? "day" : "gtc"
            body = #""order_type":"limit","price":"\#(Price(units: ticks * tickUnits).decimalString)","quantity":\#(quantity),"time_in_force":"\#(tif)""#
            symbols[i].liveOrders.append(id)
            if symbols[i].liveOrders.count > 10_000 { symbols[i].liveOrders.removeFirst(5_000) }
        }
        var account = ""
        if !accounts.isEmpty {
            let name = accounts[Int(random() % UInt64(accounts.count))]
            if !name.isEmpty { account = #","account":"\#(name)""# }
        }
        let value = #"{"type":"new","v":1,"order_id":"\#(id)","symbol":"\#(symbol)","side":"\#(buy ? "buy" : "sell")",\#(body)\#(account)}"#
        return Message(topic: "orders.commands", key: symbol, value: Array(value.utf8))
    }

    private mutating func walk(_ i: Int) {
        // A step of -1, 0 or +1 tick: a driftless random walk, floored at 100 ticks.
        let step = Int64(random() % 3) - 1
        symbols[i].midTicks = max(100, symbols[i].midTicks + step)
    }

    private mutating func random() -> UInt64 { generator.next() }
}
