import MarketCore
@testable import OrderBook

/// Random wire messages for `MatchingEngine` over a few symbols, with client ids drawn from a small
/// pool so that ids are reused all the time: while live, while closed and remembered, and after
/// being forgotten. Prices sit a few ticks around a fixed mid, so orders fill and close often.
struct EngineMessageStream {
    static let symbols = ["AAA", "BBB", "CCC"]
    let tick: Int64
    let idPool: Int
    var random: SplitMix64

    init(seed: UInt64, tick: Int64, idPool: Int = 40) {
        self.tick = tick
        self.idPool = idPool
        random = SplitMix64(seed: seed)
    }

    mutating func next() -> OrderCommandMessage {
        let symbol = Self.symbols[random.below(Self.symbols.count)]
        let clientID = random.chance(1) ? "" : "c\(random.below(idPool))"
        let roll = random.below(1000)
        if roll < 3 { return OrderCommandMessage(type: .endOfDay) }
        if roll < 8 { return OrderCommandMessage(type: .endOfDay, symbol: symbol) }
        if roll < 10 { return OrderCommandMessage(type: .cancel, orderID: clientID, symbol: "bad symbol") }
        if roll < 300 { return OrderCommandMessage(type: .cancel, orderID: clientID, symbol: symbol) }
        if roll < 400 {
            return switch random.below(4) {
            case 0: OrderCommandMessage(type: .modify, orderID: clientID, symbol: symbol)
            case 1: OrderCommandMessage(type: .modify, orderID: clientID, symbol: symbol, price: price(.buy))
            case 2: OrderCommandMessage(type: .modify, orderID: clientID, symbol: symbol, stopPrice: price(.buy))
            default: OrderCommandMessage(type: .modify, orderID: clientID, symbol: symbol, quantity: Quantity(Int64(1 + random.below(6))))
            }
        }
        let side: Side = random.chance(50) ? .buy : .sell
        let type: OrderType = [.limit, .limit, .limit, .limit, .limit, .market, .stop, .stopLimit][random.below(8)]
        var message = OrderCommandMessage(
            type: .new, orderID: clientID, symbol: symbol, side: random.chance(1) ? nil : side, orderType: type,
            price: type.hasLimitPrice && !random.chance(1) ? price(side) : nil, quantity: Quantity(Int64(1 + random.below(5))),
            timeInForce: [.gtc, .gtc, .gtc, .day, .day, .ioc, .fok][random.below(7)], postOnly: random.chance(5),
            account: random.chance(30) ? nil : "acct-\(random.below(3))")
        if type.isStop { message.stopPrice = price(side == .buy ? .sell : .buy) }
        return message
    }

    /// A price within three ticks of the mid, on the passive side of it more often than not.
    mutating func price(_ side: Side) -> Price {
        let offset = Int64(random.below(4)) - (random.chance(30) ? 2 : 0)
        return Price(units: (side == .buy ? 100 - offset : 100 + offset) * tick)
    }
}
