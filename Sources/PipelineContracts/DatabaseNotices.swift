/// The notices sent by the risk engine and by triggers on tables people and the API write.

/// `risk_metrics`: the risk engine stored run `runId` of a portfolio (docs/risk.md). Sent in the
/// run's transaction, so a reader that sees it finds the whole run.
public struct RiskRunNotice: NotifyPayload {
    public static let channel = NotifyChannel.riskMetrics
    public static let wireKeys = ["portfolio_id", "run_id", "computed_at"]
    public var portfolioId: String
    public var runId: String
    /// The run's transaction time, RFC 3339.
    public var computedAt: String

    public init(portfolioId: String, runId: String, computedAt: String) {
        (self.portfolioId, self.runId, self.computedAt) = (portfolioId, runId, computedAt)
    }

    public var payload: String {
        var o = JSONObjectText()
        o.string("portfolio_id", portfolioId); o.string("run_id", runId); o.string("computed_at", computedAt)
        return o.close()
    }
}

/// `risk_positions`: a portfolio's positions changed. Sent by the trigger on `risk.positions`
/// (migration 0010), so its producer is SQL; `NotifyPayloadTests` checks that what the trigger
/// sends reads as this type.
public struct PositionsNotice: NotifyPayload {
    public static let channel = NotifyChannel.riskPositions
    public static let wireKeys = ["portfolio_id"]
    public var portfolioId: String

    public init(portfolioId: String) { self.portfolioId = portfolioId }

    public var payload: String {
        var o = JSONObjectText()
        o.string("portfolio_id", portfolioId)
        return o.close()
    }
}

/// A reference table changed, `{"changed_at"}` (the changing transaction's time, RFC 3339): its
/// listener reloads the whole table, whatever changed. Sent once per changing statement by a
/// statement trigger (`ops.notify_table_change`, migration 0022).
public protocol TableChangeNotice: NotifyPayload {
    var changedAt: String { get }
    init(changedAt: String)
}

extension TableChangeNotice {
    public static var wireKeys: [String] { ["changed_at"] }

    public var payload: String {
        var o = JSONObjectText()
        o.string("changed_at", changedAt)
        return o.close()
    }
}

/// `instruments`: the instrument catalogue (`market.instruments`) changed; the processor reloads it.
public struct InstrumentsNotice: TableChangeNotice {
    public static let channel = NotifyChannel.instruments
    public var changedAt: String

    public init(changedAt: String) { self.changedAt = changedAt }
}

/// `accounts`: the trading accounts or their limits (`trading.accounts`) changed; the processor
/// reloads them.
public struct AccountsNotice: TableChangeNotice {
    public static let channel = NotifyChannel.accounts
    public var changedAt: String

    public init(changedAt: String) { self.changedAt = changedAt }
}
