@testable import API
import Foundation
import MarketCore
import PipelineContracts
import PostgresNIO
import TestSupport
import Testing

/// A notification whose read fails (a slow or locked database) is not lost: the hub reads again
/// until it succeeds, so the client still gets the prints it announced.
@Suite struct StreamRetryTests {
    @Test func aReadThatTimesOutIsTriedAgainUntilThePrintsArrive() async throws {
        // Reads time out after 1 s, the table stays locked for 3: the first reads fail for sure,
        // and an unlocked read still fits in 1 s on a loaded CI machine (300 ms did not, ten times over).
        try await StreamTests.withStreamOnly(.init(), readTimeout: .seconds(1)) { hub, port in
            let pg = hub.database.client, logger = hub.database.logger
            try await pg.query("INSERT INTO market.instruments (symbol, kind) VALUES ('AAA', 'equity')", logger: logger)
            // Subscribing reads too: on a loaded machine it may take longer than 1 s (503); try again.
            var subscribed: RawHTTPClient?
            let deadline = ContinuousClock.now + .seconds(30)
            while subscribed == nil, ContinuousClock.now < deadline {
                let attempt = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=trades:AAA")
                try await attempt.wait { $0.contains("event: subscribed") || $0.contains("HTTP/1.1 503") }
                if attempt.received.contains("event: subscribed") { subscribed = attempt }
            }
            let client = try #require(subscribed)
            try await pg.query("""
                INSERT INTO market.trades (ts, symbol, price, size, src_partition, src_offset)
                SELECT now() + i * interval '1 ms', 'AAA', 40 + i, 1, 0, i FROM generate_series(1, 2) AS i
                """, logger: logger)
            let notice = TradeNotice(symbol: "AAA", ts: Timestamp(secondsSince1970: Date().timeIntervalSince1970)!.rfc3339, price: "42", size: 1, count: 2)
            // The announcement arrives while the table is locked: the hub's read times out.
            try await pg.withConnection { locker in
                try await locker.query("BEGIN", logger: logger)
                try await locker.query("LOCK TABLE market.trades IN ACCESS EXCLUSIVE MODE", logger: logger)
                try await pg.query("SELECT pg_notify(\(NotifyChannel.mdTrades.name), \(notice.payload))", logger: logger)
                try await Task.sleep(for: .seconds(3))
                try await locker.query("COMMIT", logger: logger)
            }
            try await client.wait(for: .seconds(30)) { _ in StreamResumeTests.prices(client).count == 2 }
            #expect(StreamResumeTests.prices(client) == ["41", "42"])
        }
    }

    /// The hub waits 5 s for its LISTENs before saying `subscribed`; a change committed after that
    /// promise but before the LISTENs were in place still reaches the client once they are.
    @Test func aChangeCommittedBeforeALateListenerIsSentOnceItListens() async throws {
        try await StreamTests.withStreamOnly(.init()) { hub, port in
            let pg = hub.database.client, logger = hub.database.logger
            try await pg.query("INSERT INTO market.instruments (symbol, kind) VALUES ('AAA', 'equity')", logger: logger)
            try await pg.query("INSERT INTO risk.portfolios (portfolio_id, name) VALUES ('alpha', 'Alpha')", logger: logger)
            // Every pooled connection (TestDatabase's pool holds 4) is busy: the listener waits for one.
            let client = try await pg.withConnection { c1 in try await pg.withConnection { _ in try await pg.withConnection { _ in
                try await pg.withConnection { _ in
                    let client = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=positions:alpha")
                    try await client.wait(for: .seconds(30)) { $0.contains("event: subscribed") }
                    try await c1.query("INSERT INTO risk.positions (portfolio_id, symbol, quantity) VALUES ('alpha', 'AAA', 7)", logger: logger)
                    return client
                }
            } } }
            #expect(!client.received.contains("event: positions"))
            try await client.wait(for: .seconds(30)) { $0.contains("event: positions") }
            #expect(client.events.first { $0.name == "positions" }?.data.contains(#""quantity":"7""#) == true)
        }
    }
}
