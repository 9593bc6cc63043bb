import MarketCore

// The 48 bytes of one dormant stop in an `OrderBook` snapshot (format version 2).

extension SnapshotWriter {
    mutating func put(_ stop: DormantStop) {
        put(stop.id.rawValue)
        put(UInt8(stop.side == .buy ? 0 : 1))
        put(UInt8(OrderType.allCases.firstIndex(of: stop.type)!))
        put(UInt8(TimeInForce.allCases.firstIndex(of: stop.timeInForce)!))
        put(UInt64(bitPattern: stop.limit))
        put(UInt64(bitPattern: stop.quantity))
        put(stop.owner)
        switch stop.trigger {
        case .price(let price): put(UInt8(0)); put(UInt64(bitPattern: price.units))
        case .trailAmount(let amount): put(UInt8(1)); put(UInt64(bitPattern: amount.units))
        case .trailPercent(let percent): put(UInt8(2)); put(UInt64(bitPattern: percent.units))
        }
        put(UInt64(bitPattern: stop.watermark))
    }
}

extension SnapshotReader {
    mutating func readStop() throws(SnapshotError) -> DormantStop {
        let id = OrderID(try read() as UInt64)
        let sideCode: UInt8 = try read()
        let typeCode: UInt8 = try read()
        let tifCode: UInt8 = try read()
        let limit = Int64(bitPattern: try read())
        let quantity = Int64(bitPattern: try read())
        let owner: UInt32 = try read()
        let triggerCode: UInt8 = try read()
        let value = Price(units: Int64(bitPattern: try read()))
        let watermark = Int64(bitPattern: try read())
        guard sideCode < 2, Int(typeCode) < OrderType.allCases.count, Int(tifCode) < TimeInForce.allCases.count,
            OrderType.allCases[Int(typeCode)].isStop, value.units > 0, watermark >= 0
        else { throw .invalidContent("bad stop \(id)") }
        let trigger: StopTrigger
        switch triggerCode {
        case 0: trigger = .price(value)
        case 1: trigger = .trailAmount(value)
        case 2: trigger = .trailPercent(value)
        default: throw .invalidContent("bad stop trigger \(id)")
        }
        return DormantStop(
            id: id, side: sideCode == 0 ? .buy : .sell, type: OrderType.allCases[Int(typeCode)], limit: limit,
            quantity: quantity, timeInForce: TimeInForce.allCases[Int(tifCode)], owner: owner, trigger: trigger,
            watermark: watermark)
    }
}
