import Accounts
import MarketCore

/// One row of `trading.positions`: an account's position after the batch's fills (absolute
/// values, so writing it twice changes nothing).
public struct PositionRow: Sendable, Equatable {
    public var account: String
    public var symbol: String
    public var quantity: Int64
    /// Decimal text (`DecimalUnits`).
    public var costBasis: String
    public var realizedPnL: String
    public var fills: Int64
}

/// One row of `trading.refused_commands`: a command refused before it reached a matching engine.
public struct RefusedCommand: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var ts: Timestamp
    public var orderID: String?
    public var symbol: String?
    public var account: String?
    public var reason: String
}

extension IngestBatch {
    /// Stores `position` as `account`'s in `symbol` when this batch commits.
    public mutating func appendPosition(account: String, symbol: String, _ position: Position) {
        positions.append(PositionRow(
            account: account, symbol: symbol, quantity: position.quantity, costBasis: DecimalUnits.text(position.costBasis),
            realizedPnL: DecimalUnits.text(position.realizedPnL), fills: position.fills))
    }

    /// Records that the command at (`topic`, `partition`, `offset`) was refused for `reason`: a
    /// replay skips it.
    public mutating func appendRefusal(
        topic: String, partition: Int32, offset: Int64, ts: Timestamp, orderID: String?, symbol: String?, account: String?,
        reason: String
    ) {
        refusals.append(RefusedCommand(
            topic: topic, partition: partition, offset: offset, ts: ts, orderID: orderID, symbol: symbol, account: account,
            reason: reason))
    }
}
