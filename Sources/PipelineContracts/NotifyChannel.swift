/// Every PostgreSQL NOTIFY channel of the pipeline, the one place its name is spelled. Producers
/// send on these and consumers LISTEN on these; `DocsTests` checks that each is documented with
/// its payload and that no SQL file notifies on a channel not listed here.
///
/// | channel | sent by | payload |
/// | --- | --- | --- |
/// | `md_quotes` | the processor, per batch | the latest quote per symbol (docs/processor.md) |
/// | `md_trades` | the processor, per batch | the latest print per symbol and the batch's count |
/// | `book_bbo` | the processor, per batch | best bid and offer of every book the batch touched |
/// | `book_executions` | the processor, per batch | executions per symbol in the batch |
/// | `book_depth` | the processor, per published depth | the symbol and the book's sequence |
/// | `risk_metrics` | the risk engine, per stored run | portfolio id, run id, computed at (docs/risk.md) |
/// | `risk_positions` | the trigger of `risk.positions` (migration 0010) | portfolio id |
/// | `instruments` | the trigger of `market.instruments` (migration 0021) | the change's transaction time |
/// | `accounts` | the trigger of `trading.accounts` (migration 0022) | the change's transaction time |
public enum NotifyChannel: String, CaseIterable, Sendable, Hashable {
    case mdQuotes = "md_quotes"
    case mdTrades = "md_trades"
    case bookBBO = "book_bbo"
    case bookExecutions = "book_executions"
    case bookDepth = "book_depth"
    case riskMetrics = "risk_metrics"
    case riskPositions = "risk_positions"
    case instruments = "instruments"
    case accounts = "accounts"

    /// The channel's name as PostgreSQL knows it (for `LISTEN` and `pg_notify`).
    public var name: String { rawValue }
}
