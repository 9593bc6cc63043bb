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

/// `instruments`: the instrument catalogue (`market.instruments`) changed. Sent by the statement
/// trigger of migration 0021; the processor reloads the catalogue when it hears it.
public struct InstrumentsNotice: NotifyPayload {
    public static let channel = NotifyChannel.instruments
    public static let wireKeys = ["changed_at"]
    /// The changing transaction's time, RFC 3339.
    public var changedAt: String

    public init(changedAt: String) { self.changedAt = changedAt }

    public var payload: String {
        var o = JSONObjectText()
        o.string("changed_at", changedAt)
        return o.close()
    }
}
