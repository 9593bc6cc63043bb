import Foundation
import PostgresNIO
import TestSupport
import Testing

/// Issue 18: which closes are due (`trading.due_session_closes`, migration 0025), for a calendar
/// with a time zone, weekdays and a holiday, and for simulated sessions.
@Suite struct SessionCalendarTests {
    @Test func closesFollowTheCalendar() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                for statement: PostgresQuery in [
                    "INSERT INTO market.trading_calendars (calendar_id, time_zone) VALUES ('X', 'America/New_York')",
                    "INSERT INTO market.calendar_holidays (calendar_id, day, name) VALUES ('X', '2026-11-26', 'Thanksgiving')",
                    "INSERT INTO market.trading_calendars (calendar_id, time_zone, session_minutes) VALUES ('SIM', 'UTC', 5)",
                    "INSERT INTO market.instruments (symbol, kind, calendar_id) VALUES ('AAA', 'equity', 'X'), ('SSS', 'equity', 'SIM')",
                    "INSERT INTO market.instruments (symbol, kind, active) VALUES ('OFF', 'equity', false)",
                ] { _ = try await client.query(statement, logger: db.logger) }
                func due(_ at: String) async throws -> [String] {
                    var result: [String] = []
                    let rows = try await client.query("""
                        SELECT symbol || ' ' || to_char(closes_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
                        FROM trading.due_session_closes(\(at)::timestamptz, 'X') ORDER BY symbol
                        """, logger: db.logger)
                    for try await row in rows.decode(String.self) { result.append(row) }
                    return result
                }
                // Friday 27 November, 15:00 in New York: Thursday was a holiday and Wednesday's close is over a day old.
                #expect(try await due("2026-11-27 15:00 America/New_York") == ["SSS 2026-11-27 20:00"])
                // A second after Friday's close (16:00 EST is 21:00 UTC).
                #expect(try await due("2026-11-27 16:00:01 America/New_York") == ["AAA 2026-11-27 21:00", "SSS 2026-11-27 21:00"])
                // Saturday: Friday's close is still due until it is claimed; then nothing until Monday's.
                #expect(try await due("2026-11-28 12:00 America/New_York") == ["AAA 2026-11-27 21:00", "SSS 2026-11-28 17:00"])
                _ = try await client.query("""
                    INSERT INTO trading.session_closes (symbol, calendar_id, closes_at) VALUES ('AAA', 'X', '2026-11-27 21:00Z')
                    """, logger: db.logger)
                #expect(try await due("2026-11-28 12:00 America/New_York") == ["SSS 2026-11-28 17:00"])
                #expect(try await due("2026-11-30 16:00:01 America/New_York") == ["AAA 2026-11-30 21:00", "SSS 2026-11-30 21:00"])
                // Summer time: the same 16:00 close is 20:00 UTC (for a symbol with nothing claimed yet).
                _ = try await client.query("INSERT INTO market.instruments (symbol, kind, calendar_id) VALUES ('BBB', 'equity', 'X')", logger: db.logger)
                #expect(try await due("2026-07-01 16:00:01 America/New_York").contains("BBB 2026-07-01 20:00"))
                // A time zone that does not exist is refused.
                await #expect(throws: (any Error).self) {
                    _ = try await client.query("INSERT INTO market.trading_calendars (calendar_id, time_zone) VALUES ('Y', 'Mars/Olympus')", logger: db.logger)
                }
            }
        }
    }
}
