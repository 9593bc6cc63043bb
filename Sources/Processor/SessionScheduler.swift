import Foundation
import Kafka
import Logging
import PostgresNIO
import Store

/// Ends trading sessions (docs/processor.md, "Trading sessions"): every `checkInterval` it asks
/// `trading.due_session_closes` which symbols' calendars have closed, claims each close in
/// `trading.session_closes` (so, with several processors, one instance sends it), writes an
/// `end_of_day` command for the symbol into `orders.commands` keyed by it, and marks the close sent
/// once Kafka has it. The command log then holds the close: the book on whichever partition owns
/// the symbol expires its DAY orders, and a replay or a restart from a snapshot does the same.
///
/// At least once: a close claimed but not marked sent (a crash in between) is sent again after
/// `resendAfter`; a second `end_of_day` seconds after the first expires only DAY orders entered in
/// between.
public struct SessionScheduler: Sendable {
    public struct Settings: Sendable {
        /// The calendar of instruments without one (`sessions.defaultCalendar`).
        public var defaultCalendar = "XNYS"
        public var checkInterval: Duration = .seconds(1)
        public var resendAfter: Duration = .seconds(30)
        public init(defaultCalendar: String = "XNYS", checkInterval: Duration = .seconds(1)) {
            self.defaultCalendar = defaultCalendar
            self.checkInterval = checkInterval
        }
    }

    let settings: Settings
    let client: PostgresClient
    let producer: KafkaProducer
    let commandsTopic: String
    let logger: Logger

    public init(settings: Settings, client: PostgresClient, producer: KafkaProducer, commandsTopic: String, logger: Logger) {
        (self.settings, self.client, self.producer, self.commandsTopic, self.logger) = (settings, client, producer, commandsTopic, logger)
    }

    /// Checks every `checkInterval` until cancelled; a failed check is logged and retried.
    public func run() async {
        while !Task.isCancelled {
            do {
                let sent = try await closeDueSessions()
                if sent > 0 { logger.info("session closes sent", metadata: ["symbols": "\(sent)"]) }
            } catch {
                if Task.isCancelled { return }
                logger.warning("session close check failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            }
            try? await Task.sleep(for: settings.checkInterval)
        }
    }

    /// Claims and sends the closes due now, and resends claimed ones never marked sent; returns how many were sent.
    @discardableResult
    public func closeDueSessions() async throws -> Int {
        let resendSeconds = Double(settings.resendAfter.components.seconds)
        let rows = try await client.rows("""
            WITH claimed AS (
                INSERT INTO trading.session_closes (symbol, calendar_id, closes_at)
                SELECT symbol, calendar_id, closes_at FROM trading.due_session_closes(now(), \(settings.defaultCalendar))
                ON CONFLICT DO NOTHING
                RETURNING symbol, closes_at)
            SELECT symbol, closes_at FROM claimed
            UNION ALL
            SELECT symbol, closes_at FROM trading.session_closes
            WHERE sent_at IS NULL AND claimed_at < now() - make_interval(secs => \(resendSeconds))
            """, logger: logger)
        var due: [(symbol: String, closesAt: Date)] = []
        for (symbol, closesAt) in try rows.map({ try $0.decode((String, Date).self) }) { due.append((symbol, closesAt)) }
        guard !due.isEmpty else { return 0 }
        let records = due.map { close in
            KafkaProducerRecord(topic: commandsTopic, key: Array(close.symbol.utf8),
                                value: Array(#"{"type":"end_of_day","v":1,"symbol":"\#(close.symbol)"}"#.utf8))
        }
        _ = try await producer.sendAll(records)
        _ = try await client.rows("""
            UPDATE trading.session_closes s SET sent_at = now()
            FROM unnest(\(due.map(\.symbol))::text[], \(due.map(\.closesAt))::timestamptz[]) AS d(symbol, closes_at)
            WHERE s.symbol = d.symbol AND s.closes_at = d.closes_at
            """, logger: logger)
        return due.count
    }
}
