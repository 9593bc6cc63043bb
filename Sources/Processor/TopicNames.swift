/// The topics one processor reads and writes. Deployments use `standard`; tests and benchmarks
/// use a unique prefix so that runs sharing a broker never see each other's messages.
public struct TopicNames: Sendable, Hashable {
    public var quotes: String
    public var trades: String
    public var commands: String
    public var events: String
    /// Written by the risk engine (not the processor): every stored risk run.
    public var riskMetrics: String

    public static let standard = TopicNames(prefix: "")

    public init(prefix: String) {
        quotes = prefix + "md.quotes"
        trades = prefix + "md.trades"
        commands = prefix + "orders.commands"
        events = prefix + "orders.events"
        riskMetrics = prefix + "risk.metrics"
    }

    /// What the processor consumes.
    public var consumed: [String] { [quotes, trades, commands] }
}
