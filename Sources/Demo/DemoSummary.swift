import Foundation
import Logging
import PostgresNIO

/// The live lines of `quant demo`: throughput, lag and rows from the processor's `/metrics`,
/// books, dead letters and the latest VaR/ES per portfolio from PostgreSQL.
struct DemoSummary {
    let processorMetricsPort: Int
    private var previous: (at: ContinuousClock.Instant, messages: Double)?

    init(processorMetricsPort: Int) {
        self.processorMetricsPort = processorMetricsPort
    }

    /// One status line and one risk line; with no `services` (they have stopped) the totals stored.
    mutating func lines(client: PostgresClient, logger: Logger, services: [ChildProcess]) async -> [String] {
        var lines: [String] = []
        let clock = Self.time.string(from: Date())
        var parts: [String] = []
        if let metrics = await MetricsScrape.fetch(port: processorMetricsPort) {
            let messages = MetricsScrape.sum("quant_processor_messages_total", in: metrics) ?? 0
            if let previous {
                let seconds = Double((ContinuousClock.now - previous.at).components.seconds) +
                    Double((ContinuousClock.now - previous.at).components.attoseconds) / 1e18
                parts.append("in \(Self.number((messages - previous.messages) / max(seconds, 0.001))) msg/s")
            }
            previous = (.now, messages)
            parts.append("consumed \(Self.number(messages))")
            parts.append("lag \(Self.number(MetricsScrape.sum("quant_processor_consumer_lag_messages", in: metrics) ?? 0))")
            parts.append("rows \(Self.number(MetricsScrape.sum("quant_store_rows_total", in: metrics) ?? 0))")
        } else if !services.isEmpty {
            parts.append("processor metrics not up yet")
        } else if let totals = try? await Self.first(client, logger, """
            SELECT (SELECT count(*) FROM market.quotes WHERE ts > now() - interval '1 day')::int8,
                   (SELECT count(*) FROM market.trades WHERE ts > now() - interval '1 day')::int8,
                   (SELECT count(*) FROM trading.order_events)::int8, (SELECT count(*) FROM trading.executions)::int8
            """, as: (Int64, Int64, Int64, Int64).self) {
            parts.append("stored (last 24 h): quotes \(Self.number(Double(totals.0))), trades \(Self.number(Double(totals.1))), " +
                         "order events \(Self.number(Double(totals.2))), executions \(Self.number(Double(totals.3)))")
        }
        if let counts = try? await Self.first(client, logger, """
            SELECT (SELECT count(*) FROM api.book_tops)::int8, (SELECT count(*) FROM ops.dead_letters)::int8
            """, as: (Int64, Int64).self) {
            parts.append("books \(counts.0)")
            parts.append("dead letters \(counts.1)")
        }
        let down = services.filter { !$0.isRunning }.map(\.name)
        if !down.isEmpty { parts.append("STOPPED: \(down.joined(separator: ", ")) (see .local/logs/)") }
        lines.append("[\(clock)] " + parts.joined(separator: " · "))

        var risk: [String] = []
        if let rows = try? await client.query("""
            SELECT portfolio_id, var::float8, expected_shortfall::float8, to_char(computed_at, 'HH24:MI:SS')
            FROM api.risk_latest WHERE method = 'historical' AND confidence = 0.99 AND horizon_days = 1 ORDER BY 1
            """, logger: logger) {
            do {
                for try await (portfolio, value, shortfall, at) in rows.decode((String, Double, Double, String).self) {
                    risk.append("\(portfolio) VaR \(Self.number(value)) ES \(Self.number(shortfall)) @\(at)")
                }
            } catch {}
        }
        if !risk.isEmpty { lines.append("           risk 99% 1d historical: " + risk.joined(separator: " · ")) }
        // The latest one-minute bar of AAPL as `api.bars` reads it from the stored rollups (issue 19).
        if let bar = try? await Self.first(client, logger, """
            SELECT (SELECT count(*) FROM api.ohlcv WHERE width = interval '1 minute' AND bucket > now() - interval '1 day')::int8,
                   to_char(b.bucket, 'HH24:MI'), b.open::float8, b.high::float8, b.low::float8, b.close::float8,
                   b.volume::float8, b.source
            FROM api.bars('AAPL', interval '1 minute', now() - interval '5 minutes', now()) b ORDER BY b.bucket DESC LIMIT 1
            """, as: (Int64, String, Double, Double, Double, Double, Double, String).self) {
            lines.append("           bars (stored rollups): \(Self.number(Double(bar.0))) one-minute bars today · AAPL \(bar.1) " +
                         "O \(Self.price(bar.2)) H \(Self.price(bar.3)) L \(Self.price(bar.4)) C \(Self.price(bar.5)) " +
                         "V \(Self.number(bar.6)) (\(bar.7))")
        }
        var desks: [String] = []
        if let rows = try? await client.query("""
            SELECT portfolio_id, sum(fills)::int8, count(*) FILTER (WHERE quantity <> 0)::int8,
                   coalesce(sum(realized_pnl), 0)::float8, coalesce(sum(unrealized_pnl), 0)::float8
            FROM api.account_positions WHERE portfolio_id IS NOT NULL GROUP BY 1 ORDER BY 1
            """, logger: logger) {
            do {
                for try await (portfolio, fills, open, realized, unrealized) in rows.decode((String, Int64, Int64, Double, Double).self) {
                    desks.append("\(portfolio) \(Self.number(Double(fills))) fills, \(open) open positions, " +
                                 "P&L realized \(Self.number(realized)) unrealized \(Self.number(unrealized))")
                }
            } catch {}
        }
        if !desks.isEmpty { lines.append("           desks' trading: " + desks.joined(separator: " · ")) }
        if let sessions = try? await Self.first(client, logger, """
            SELECT (SELECT to_char(max(closes_at), 'HH24:MI:SS') FROM api.session_closes WHERE sent_at IS NOT NULL),
                   (SELECT count(*) FROM api.order_events WHERE event = 'expired' AND reason = 'end_of_day' AND ts > now() - interval '1 day')::int8
            """, as: (String?, Int64).self), let last = sessions.0 {
            lines.append("           sessions: last close \(last), DAY orders expired \(Self.number(Double(sessions.1)))")
        }
        return lines
    }

    /// `SYMBOL:last,…` of the demo's equities, so the feed continues from the seeded history.
    static func feedSymbols(client: PostgresClient, logger: Logger) async throws -> String {
        try await first(client, logger, """
            SELECT string_agg(symbol || ':' || trim_scale(price)::text, ',' ORDER BY symbol)
            FROM (SELECT DISTINCT ON (symbol) symbol, price FROM market.trades
                  WHERE symbol IN ('AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA') ORDER BY symbol, ts DESC) c
            """, as: String.self) ?? "AAPL:190,MSFT:410,GOOG:170,AMZN:180,NVDA:130"
    }

    static func first<each T: PostgresDecodable>(_ client: PostgresClient, _ logger: Logger, _ sql: PostgresQuery,
                                                  as: (repeat each T).Type) async throws -> (repeat each T)? {
        for try await row in try await client.query(sql, logger: logger).decode((repeat each T).self) { return row }
        return nil
    }

    static func price(_ value: Double) -> String { String(format: "%.2f", value) }

    static func number(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: value.rounded())) ?? String(Int(value))
    }

    static let time: DateFormatter = {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter
    }()
}
