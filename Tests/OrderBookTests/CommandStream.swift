import MarketCore
@testable import OrderBook

/// Random but reproducible command streams that cover the whole command surface, invalid input
/// included. `PriceModel` picks where prices land; bursts switch to crossing orders and cancels.
struct CommandStream {
    enum PriceModel: CaseIterable, Sendable {
        /// Uniform within a few ticks of a fixed mid: dense levels, many crosses.
        case tight
        /// Uniform over a wide band: many sparse levels, few crosses.
        case wide
        /// A mid that random-walks, so levels are created and emptied all the time.
        case drifting
        /// Calm stretches interrupted by bursts of aggressive orders and mass cancels.
        case bursty
    }

    let model: PriceModel
    let tick: Int64
    let lot: Int64
    var random: SplitMix64
    var nextID: UInt64 = 1
    var issued: [OrderID] = []
    var mid: Int64 = 1000
    var burst = 0

    init(seed: UInt64, model: PriceModel, tick: Int64, lot: Int64) {
        self.model = model
        self.tick = tick
        self.lot = lot
        random = SplitMix64(seed: seed)
    }

    /// The next command; `live` lists ids resting right now, so cancels and modifies usually hit.
    mutating func next(live: some RandomAccessCollection<OrderID>) -> OrderCommand {
        if model == .drifting && random.chance(5) { mid = max(20, mid + Int64(random.below(3)) - 1) }
        if model == .bursty && burst == 0 && random.chance(1) { burst = 50 + random.below(200) }
        let inBurst = burst > 0
        if inBurst { burst -= 1 }

        let roll = random.below(1000)
        if roll < 2 { return .endOfDay }
        // A mass cancel, of one owner's orders (owner 0 is "no account") or of everyone's.
        if roll == 2 { return .cancelAll(owner: random.chance(25) ? nil : OwnerID(UInt32(random.below(4)))) }
        if inBurst && random.chance(45), let id = pick(live) { return .cancel(id) }
        // Keep the book small enough for the reference matcher's linear scans.
        if live.count > 250 && random.chance(live.count > 400 ? 60 : 25), let id = pick(live) { return .cancel(id) }
        if roll < 200 { return .cancel(pickAny(live)) }
        if roll < 300 { return .modify(modify(live)) }
        return .new(newOrder(aggressive: inBurst && random.chance(70)))
    }

    mutating func pick(_ live: some RandomAccessCollection<OrderID>) -> OrderID? {
        live.isEmpty ? nil : live[live.index(live.startIndex, offsetBy: random.below(live.count))]
    }

    /// Mostly live ids, sometimes finished ones, sometimes ids never used.
    mutating func pickAny(_ live: some RandomAccessCollection<OrderID>) -> OrderID {
        let roll = random.below(100)
        if roll < 80, let id = pick(live) { return id }
        if roll < 95, !issued.isEmpty { return issued[random.below(issued.count)] }
        return OrderID(1_000_000_000 + UInt64(random.below(1000)))
    }

    mutating func modify(_ live: some RandomAccessCollection<OrderID>) -> ModifyOrder {
        let id = pickAny(live)
        switch random.below(10) {
        case 0..<4: return ModifyOrder(id: id, quantity: Quantity(quantity()))
        case 4..<8:
            let side: Side = random.chance(50) ? .buy : .sell
            return ModifyOrder(id: id, price: Price(units: price(aggressive: false, side: side)))
        case 8:
            if random.chance(50) {
                return ModifyOrder(id: id, price: Price(units: price(aggressive: false, side: .buy)), quantity: Quantity(quantity()))
            }
            // A new trigger: meaningful for a dormant stop, refused for anything else.
            let side: Side = random.chance(50) ? .buy : .sell
            return ModifyOrder(id: id, quantity: random.chance(30) ? Quantity(quantity()) : nil,
                               stopPrice: Price(units: random.chance(5) ? badPrice() : stopPrice(side)))
        default: return ModifyOrder(id: id, price: Price(units: badPrice()), quantity: Quantity(badQuantity()))
        }
    }

    mutating func newOrder(aggressive: Bool) -> NewOrder {
        let side: Side = random.chance(50) ? .buy : .sell
        var id = OrderID(nextID)
        if random.chance(2), !issued.isEmpty {
            id = issued[random.below(issued.count)]  // duplicate of a live or finished id
        } else {
            nextID += 1
            issued.append(id)
        }
        let type: OrderType = random.chance(aggressive ? 30 : 4) ? .market : .limit
        let tif: TimeInForce = [.gtc, .gtc, .gtc, .day, .day, .ioc, .fok][random.below(7)]
        var order = NewOrder(
            id: id, side: side, type: type, price: Price(units: price(aggressive: aggressive, side: side)),
            quantity: Quantity(quantity()), timeInForce: tif, postOnly: random.chance(10),
            owner: OwnerID(UInt32(random.below(4))))
        if random.chance(12) { makeStop(&order) }
        if random.chance(3) { order.quantity = Quantity(badQuantity()) }
        if random.chance(3) { order.price = Price(units: badPrice()) }
        return order
    }

    /// Turns the order into a stop, stop-limit or trailing stop, now and then with a bad trigger.
    mutating func makeStop(_ order: inout NewOrder) {
        order.type = [.stop, .stopLimit, .trailingStop][random.below(3)]
        if random.chance(85) { order.postOnly = false }
        switch order.type {
        case .trailingStop:
            order.trigger =
                random.chance(50)
                ? .trailAmount(Price(units: tick * Int64(1 + random.below(6))))
                : .trailPercent(Price(units: Int64(10_000_000 + random.below(300_000_000))))
        default:
            order.trigger = .price(Price(units: stopPrice(order.side)))
        }
        if random.chance(4) {
            order.trigger = [nil, .price(Price(units: badPrice())), .trailAmount(.zero), .trailPercent(Price(units: 10_000_000_000))][
                random.below(4)]
        }
    }

    /// A trigger a few ticks beyond the mid on the side where it waits (buy stops above, sell
    /// below), sometimes on the other side so that it wakes at once.
    mutating func stopPrice(_ side: Side) -> Int64 {
        let offset = Int64(random.below(8)) - (random.chance(15) ? 6 : 0)
        return max(1, side == .buy ? mid + offset : mid - offset) * tick
    }

    mutating func quantity() -> Int64 {
        lot * Int64(1 + (random.chance(80) ? random.below(10) : random.below(200)))
    }

    mutating func badQuantity() -> Int64 {
        [0, -lot, lot + (lot > 1 ? 1 : 0), OrderBook.maxQuantity + lot, lot * 3][random.below(5)]
    }

    mutating func badPrice() -> Int64 {
        [0, -tick, tick * 7 + (tick > 1 ? 1 : 0), tick * 1000][random.below(4)]
    }

    /// A price in ticks around the mid; aggressive prices sit on the far side of it.
    mutating func price(aggressive: Bool, side: Side) -> Int64 {
        let band: Int = switch model {
        case .tight: 4
        case .wide: 300
        case .drifting, .bursty: 20
        }
        var offset = Int64(random.below(band + 1))
        if aggressive { offset = -offset - 1 }
        let ticks = side == .buy ? mid - 1 - offset : mid + 1 + offset
        return max(1, ticks) * tick
    }
}
