/// Why an order was rejected or cancelled. Raw values are stable: they appear in snapshots and logs.
public enum Reason: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case none = 0
    // Rejects of a command.
    case invalidQuantity = 1
    case quantityNotLotMultiple = 2
    case invalidPrice = 3
    case priceNotOnTick = 4
    case duplicateOrderID = 5
    case unknownOrder = 6
    case orderClosed = 7
    case noLiquidity = 8
    case wouldCross = 9
    case invalidPostOnly = 10
    case unknownSymbol = 11
    case invalidCommand = 12
    case invalidStopPrice = 13
    case invalidTrail = 14
    // Pre-trade limits (`PreTradeLimits`).
    case maxQuantityExceeded = 15
    case maxNotionalExceeded = 16
    case priceDeviationExceeded = 17
    // Why an accepted order was cancelled.
    case requested = 20
    case immediateOrCancel = 21
    case fillOrKill = 22
    case selfTrade = 23
    case endOfDay = 24
    case massCancel = 25
    // Account checks made before a command reaches the engine (the processor's `AccountBook`): the
    // engine never sees such a command, so these never appear in its snapshots.
    case unknownAccount = 30
    case maxPositionExceeded = 31
    case maxGrossNotionalExceeded = 32
    case maxOpenOrdersExceeded = 33

    /// The snake_case name used on the wire.
    public var description: String {
        switch self {
        case .none: "none"
        case .invalidQuantity: "invalid_quantity"
        case .quantityNotLotMultiple: "quantity_not_lot_multiple"
        case .invalidPrice: "invalid_price"
        case .priceNotOnTick: "price_not_on_tick"
        case .duplicateOrderID: "duplicate_order_id"
        case .unknownOrder: "unknown_order"
        case .orderClosed: "order_closed"
        case .noLiquidity: "no_liquidity"
        case .wouldCross: "would_cross"
        case .invalidPostOnly: "invalid_post_only"
        case .unknownSymbol: "unknown_symbol"
        case .invalidCommand: "invalid_command"
        case .invalidStopPrice: "invalid_stop_price"
        case .invalidTrail: "invalid_trail"
        case .maxQuantityExceeded: "max_quantity_exceeded"
        case .maxNotionalExceeded: "max_notional_exceeded"
        case .priceDeviationExceeded: "price_deviation_exceeded"
        case .requested: "requested"
        case .immediateOrCancel: "immediate_or_cancel"
        case .fillOrKill: "fill_or_kill"
        case .selfTrade: "self_trade"
        case .endOfDay: "end_of_day"
        case .massCancel: "mass_cancel"
        case .unknownAccount: "unknown_account"
        case .maxPositionExceeded: "max_position_exceeded"
        case .maxGrossNotionalExceeded: "max_gross_notional_exceeded"
        case .maxOpenOrdersExceeded: "max_open_orders_exceeded"
        }
    }

    public init?(name: String) {
        guard let match = Reason.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }
}
