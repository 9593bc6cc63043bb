import PipelineContracts

/// One channel of `GET /stream?channels=`: `trades:SYMBOL`, `quotes:SYMBOL`, `book:SYMBOL`,
/// `risk:PORTFOLIO`, `positions:PORTFOLIO` or `pipeline:GROUP`, and the PostgreSQL NOTIFY channel
/// that feeds it (`pipeline` has none: the hub sends it each second).
struct StreamTopic: Hashable, Sendable, CustomStringConvertible {
    enum Kind: String, CaseIterable, Sendable {
        case trades, quotes, book, risk, positions, pipeline

        /// What announces it: the processor's per-batch `md_trades`/`md_quotes`, its `book_depth`
        /// per published book, the risk engine's `risk_metrics`, and the positions trigger's
        /// `risk_positions` (migration 0010).
        var notifyChannel: NotifyChannel? {
            switch self {
            case .trades: .mdTrades
            case .quotes: .mdQuotes
            case .book: .bookDepth
            case .risk: .riskMetrics
            case .positions: .riskPositions
            case .pipeline: nil
            }
        }
    }

    var kind: Kind
    /// A symbol (trades, quotes, book), a portfolio id (risk, positions) or a consumer group (pipeline).
    var key: String

    var description: String { "\(kind.rawValue):\(key)" }

    static let maxPerRequest = 50

    /// Parses `trades:AAPL,quotes:AAPL,risk:P1`; nil with the reason when malformed.
    static func parse(_ text: String) -> Result<[StreamTopic], Problem> {
        var topics: [StreamTopic] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = item.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let kind = Kind(rawValue: String(parts[0])) else {
                return .failure(.badParameter("channels", "each channel is trades:SYMBOL, quotes:SYMBOL, book:SYMBOL, risk:PORTFOLIO, positions:PORTFOLIO or pipeline:GROUP"))
            }
            let key = String(parts[1])
            let valid = switch kind {
            case .risk, .positions: PortfolioController.isPortfolioID(key)
            case .pipeline: PipelineController.isGroupName(key)
            case .trades, .quotes, .book: RequestParameters.isSymbol(key)
            }
            guard valid else { return .failure(.badParameter("channels", "\(item): not a valid symbol, portfolio id or consumer group")) }
            let topic = StreamTopic(kind: kind, key: key)
            if !topics.contains(topic) { topics.append(topic) }
        }
        guard !topics.isEmpty else { return .failure(.badParameter("channels", "required: at least one channel")) }
        guard topics.count <= maxPerRequest else { return .failure(.badParameter("channels", "at most \(maxPerRequest) channels")) }
        return .success(topics)
    }
}
