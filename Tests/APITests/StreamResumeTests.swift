@testable import API
import Foundation
import PipelineContracts
import PostgresNIO
import TestSupport
import Testing

/// `GET /stream` resumed with `Last-Event-ID`: the prints missed while away arrive once, in order,
/// before the live ones; state channels send their present state; what cannot be caught up says
/// `reload` with its reason; a made-up id is a 400. Over a live server and the real database.
@Suite struct StreamResumeTests {
    static func prices(_ client: RawHTTPClient) -> [String] {
        client.events.filter { $0.name == "trade" }.compactMap { event in
            (try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any])?["price"] as? String
        }
    }

    @Test func aReconnectGetsTheMissedPrintsOnceThenLiveOnes() async throws {
        try await StreamTests.withLiveAPI { port, pg, logger in
            let path = "/api/v1/stream?channels=trades:AAA,positions:alpha"
            var first: RawHTTPClient? = try RawHTTPClient(port: port, path: path)
            try await first!.wait { $0.contains("event: subscribed") }
            try await StreamTests.commitTrades([("10.5", 7)], offset: 0, client: pg, logger: logger)
            try await first!.wait { $0.contains("event: trade") }
            let id = try #require(first!.lastEventID)
            first = nil  // gone: what follows is missed

            try await StreamTests.commitTrades([("10.6", 1), ("10.7", 2)], offset: 1, client: pg, logger: logger)
            try await pg.query("INSERT INTO risk.positions (portfolio_id, symbol, quantity) VALUES ('alpha', 'BBB', 5)", logger: logger)

            let second = try RawHTTPClient(port: port, path: path, headers: ["Last-Event-ID": id])
            try await second.wait { Self.prices(second).count == 2 && $0.contains("event: positions") }
            #expect(Self.prices(second) == ["10.6", "10.7"])
            let positions = try #require(second.events.first { $0.name == "positions" })
            #expect(positions.data.contains(#""symbol":"BBB""#))
            #expect(!second.events.contains { $0.name == "reload" })
            // Live prints follow, none sent twice.
            try await StreamTests.commitTrades([("10.8", 3)], offset: 3, client: pg, logger: logger)
            try await second.wait { _ in Self.prices(second).count == 3 }
            try await Task.sleep(for: .milliseconds(300))
            #expect(Self.prices(second) == ["10.6", "10.7", "10.8"])
            let resumedID = try #require(second.lastEventID)
            #expect(resumedID != id)

            // The same through ?lastEventId= from the last id: nothing missed, so no print at all.
            let third = try RawHTTPClient(port: port, path: path + "&lastEventId=\(resumedID)")
            try await third.wait { $0.contains("event: positions") }
            #expect(Self.prices(third).isEmpty)
        }
    }

    @Test func whatCannotBeCaughtUpSaysReload() async throws {
        try await StreamTests.withLiveAPI(streaming: .init(resumeMaxTrades: 2)) { port, pg, logger in
            let path = "/api/v1/stream?channels=trades:AAA"
            var first: RawHTTPClient? = try RawHTTPClient(port: port, path: path)
            try await first!.wait { $0.contains("event: subscribed") }
            try await StreamTests.commitTrades([("20.5", 1)], offset: 0, client: pg, logger: logger)
            try await first!.wait { $0.contains("event: trade") }
            let id = try #require(first!.lastEventID)
            first = nil

            // More missed than api.streamResumeMaxTrades: reload, then only live prints.
            try await StreamTests.commitTrades([("20.6", 1), ("20.7", 1), ("20.8", 1)], offset: 1, client: pg, logger: logger)
            let many = try RawHTTPClient(port: port, path: path, headers: ["Last-Event-ID": id])
            try await many.wait { $0.contains("event: reload") }
            let reload = try #require(many.events.first { $0.name == "reload" })
            #expect(reload.data.contains(#""channel":"trades:AAA""#) && reload.data.contains("more than 2 prints"))
            try await StreamTests.commitTrades([("20.9", 1)], offset: 4, client: pg, logger: logger)
            try await many.wait { _ in Self.prices(many).count == 1 }
            #expect(Self.prices(many) == ["20.9"])

            // An id written for another channel list.
            let other = try RawHTTPClient(port: port, path: path + ",quotes:AAA", headers: ["Last-Event-ID": id])
            try await other.wait { $0.contains("event: reload") }
            #expect(other.events.first { $0.name == "reload" }?.data.contains("another list of channels") == true)

            // The id's print is gone (retention, a restored database).
            let latest = try #require(many.lastEventID)
            try await pg.query("DELETE FROM market.trades WHERE symbol = 'AAA' AND price = 20.9", logger: logger)
            let gone = try RawHTTPClient(port: port, path: path, headers: ["Last-Event-ID": latest])
            try await gone.wait { $0.contains("event: reload") }
            #expect(gone.events.first { $0.name == "reload" }?.data.contains("no longer stored") == true)

            // Not an id this server writes: 400 with the reason.
            for bad in ["hello world", "1.zzzzzzzz", "1." + StreamPosition.hash([StreamTopic(kind: .trades, key: "AAA")]),
                        String(repeating: "1", count: 3000)] {
                let client = try RawHTTPClient(port: port, path: path, headers: ["Last-Event-ID": bad])
                try await client.wait { $0.contains("invalid-parameter") && $0.contains("Last-Event-ID:") }
                #expect(client.status == 400, "\(bad.prefix(40))")
                #expect(client.received.contains("Last-Event-ID"))
            }
        }
    }

    /// A client whose buffer overflowed is told so and then gets the prints it lost from the table.
    @Test func aDropIsCaughtUpFromTheStoredPrints() async throws {
        try await StreamTests.withStreamOnly(.init(bufferEvents: 4, heartbeat: .seconds(15), maxClients: 10)) { hub, port in
            let pg = hub.database.client, logger = hub.database.logger
            try await pg.query("INSERT INTO market.instruments (symbol, kind) VALUES ('AAA', 'equity')", logger: logger)
            let client = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=trades:AAA", receiveBuffer: 4096)
            try await client.wait { $0.contains("event: subscribed") }
            // Stored without an announcement, so only a catch-up can send them.
            try await pg.query("""
                INSERT INTO market.trades (ts, symbol, price, size, src_partition, src_offset)
                SELECT now() - interval '1 minute' + i * interval '1 ms', 'AAA', 30 + i, 1, 0, i FROM generate_series(1, 3) AS i
                """, logger: logger)
            let padding = String(repeating: "x", count: 4000)
            for i in 0..<2000 {
                hub.publish(StreamFrame(name: "noise", data: #"{"n":\#(i),"pad":"\#(padding)"}"#), to: StreamTopic(kind: .trades, key: "AAA"))
                if i % 100 == 0 { await Task.yield() }
            }
            try await client.wait(for: .seconds(30)) { _ in Self.prices(client).count == 3 }
            #expect(Self.prices(client) == ["31", "32", "33"])
            #expect(client.events.contains { $0.name == "dropped" })
        }
    }

    @Test func aPositionReadsBackAndMovesOnlyForward() throws {
        let topics = try StreamTopic.parse("trades:AAA,quotes:AAA,trades:B.B").get()
        var position = StreamPosition(topics: topics, cursors: ["AAA": .origin])
        let moved = [position.advance("AAA", to: TradeCursor(micros: 1_733_000_000_123_456, partition: 2, offset: 99)),
                     position.advance("B.B", to: TradeCursor(micros: 5, partition: 0, offset: 0)),
                     position.advance("AAA", to: TradeCursor(micros: 1_733_000_000_123_456, partition: 2, offset: 99)),
                     position.advance("AAA", to: TradeCursor(micros: 1_733_000_000_123_456, partition: 1, offset: 500))]
        #expect(moved == [true, true, false, false])
        let read = try StreamPosition.resume(position.id, topics: topics).get()
        #expect(read == position)
        #expect(StreamPosition.resume(position.id, topics: Array(topics.prefix(2))) == .failure(.otherChannels))
        if case .failure(.malformed) = StreamPosition.resume(position.id + ".0_0_0", topics: topics) {} else { Issue.record("an extra cursor") }
        if case .failure(.malformed) = StreamPosition.resume("1.ZZ", topics: topics) {} else { Issue.record("capitals") }
        // A stream of no trades channels has a position too: its channel list.
        #expect(try StreamPosition.resume(StreamPosition(topics: [topics[1]], cursors: [:]).id, topics: [topics[1]]).get().tradeSymbols.isEmpty)
    }
}
