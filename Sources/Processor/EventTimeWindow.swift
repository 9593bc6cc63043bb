import MarketCore

/// How far from the processor's clock an event may be dated and still be stored
/// (`processor.maxEventLeadSeconds`, `processor.maxEventAgeDays`). Outside it a message is a dead
/// letter with the reason: a feed with a broken clock, or a forged date, cannot become a symbol's
/// last price (and with it the risk engine's valuation date) or make partitions for 1970 or 9999.
public struct EventTimeWindow: Sendable, Equatable {
    /// Microseconds an event may lie ahead of the clock (feeds' clocks drift a little).
    public var maxLead: Int64
    /// Microseconds an event may lie behind the clock; nil: no limit (replays of history).
    public var maxAge: Int64?

    public init(maxLeadSeconds: Int, maxAgeDays: Int) {
        maxLead = Int64(maxLeadSeconds) * 1_000_000
        maxAge = maxAgeDays == 0 ? nil : Int64(maxAgeDays) * 86_400_000_000
    }

    /// The defaults of config/config.yaml: a minute ahead, thirty days behind.
    public static let standard = EventTimeWindow(maxLeadSeconds: 60, maxAgeDays: 30)
    /// No check beyond the storable range (pure tests and tools that replay fixed dates).
    public static let unlimited = EventTimeWindow(maxLeadSeconds: 7_258_118_400, maxAgeDays: 0)

    /// Why `ts` is not plausible at `now`, or nil when it is.
    public func rejection(of ts: Timestamp, now: Timestamp) -> String? {
        guard ts.isStorable else { return "event time \(ts) is outside 1970-01-01T00:00:00Z to 2200-01-01T00:00:00Z" }
        if ts.microseconds - now.microseconds > maxLead {
            return "event time \(ts) is more than \(maxLead / 1_000_000) s ahead of the processor's clock (\(now))"
        }
        if let maxAge, now.microseconds - ts.microseconds > maxAge {
            return "event time \(ts) is more than \(maxAge / 86_400_000_000) days behind the processor's clock (\(now))"
        }
        return nil
    }
}
