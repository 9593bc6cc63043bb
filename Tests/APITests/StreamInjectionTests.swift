@testable import API
import Foundation
import PostgresNIO
import TestSupport
import Testing

/// Issue 23, finding 6: any database login may NOTIFY `md_quotes`, and the API relayed the payload
/// verbatim, so a line break inside it split the SSE frame and a client received an injected event.
/// Now the payload is read into its type and re-encoded; anything else is dropped.
@Suite struct StreamInjectionTests {
    @Test func aForgedQuoteNotificationCannotInjectAnEvent() async throws {
        try await StreamTests.withLiveAPI { port, pg, logger in
            let client = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=quotes:AAA")
            try await client.wait { $0.contains("event: subscribed") }
            let ts = "2026-11-26T14:30:00.000000Z"
            let forged = [
                "{\"symbol\":\"AAA\",\"ts\":\"\(ts)\",\"bid\":\"1\nevent: trade\ndata: {}\n\",\"ask\":null,\"bid_size\":1,\"ask_size\":1}",
                #"{"symbol":"AAA","ts":"0000-01-01T00:00:00Z","bid":"1","ask":"2","bid_size":1,"ask_size":1}"#,
                #"{"symbol":"AAA","ts":"\#(ts)","bid":"<script>","ask":"2","bid_size":1,"ask_size":1}"#,
                "not json",
            ]
            for payload in forged {
                try await pg.query("SELECT pg_notify('md_quotes', \(payload))", logger: logger)
            }
            // A genuine one, with a harmless escaped line break in a field the type ignores.
            let genuine = #"{"symbol":"AAA","ts":"\#(ts)","bid":"10.01","ask":"10.03","bid_size":5,"ask_size":6,"note":"a\nb"}"#
            try await pg.query("SELECT pg_notify('md_quotes', \(genuine))", logger: logger)
            try await client.wait { $0.contains("event: quote") }
            try await Task.sleep(for: .milliseconds(300))
            let events = client.events.filter { $0.name != "subscribed" && $0.name != "heartbeat" }
            #expect(events.map(\.name) == ["quote"], "only the genuine quote, nothing injected")
            #expect(events.first?.data == #"{"ask":"10.03","ask_size":6,"bid":"10.01","bid_size":5,"symbol":"AAA","ts":"\#(ts)"}"#
                    || events.first?.data.contains(#""bid":"10.01""#) == true)
            #expect(!client.received.contains("event: trade"))
        }
    }

    @Test func aFrameNeverCarriesARawLineBreakInsideItsData() {
        let frame = StreamController.frame(StreamFrame(name: "quote", data: "{\"a\":1}\nevent: trade\r\ndata: x"), id: "1.0")
        #expect(frame == "id: 1.0\nevent: quote\ndata: {\"a\":1}\ndata: event: trade\ndata: data: x\n\n")
    }

    /// Finding 10: one client address took 805 of 1,000 stream slots. Now an address holds at most
    /// `api.streamMaxClientsPerAddress`; the next is a 429, and a slot comes back when a stream ends.
    @Test func oneAddressCannotTakeEveryStreamSlot() async throws {
        try await StreamTests.withStreamOnly(.init(bufferEvents: 8, heartbeat: .milliseconds(100), maxClients: 10,
                                                   maxClientsPerAddress: 2)) { hub, port in
            var first: RawHTTPClient? = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=quotes:AAA")
            let second = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=quotes:BBB")
            try await first!.wait { $0.contains("event: subscribed") }
            try await second.wait { $0.contains("event: subscribed") }
            let third = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=quotes:CCC")
            try await third.wait { $0.contains("too-many-streams") }
            #expect(third.received.hasPrefix("HTTP/1.1 429"))
            first = nil  // its next heartbeat fails and the hub lets go of it
            let deadline = ContinuousClock.now + .seconds(10)
            while hub.clientCount > 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let fourth = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=quotes:CCC")
            try await fourth.wait { $0.contains("event: subscribed") }
            _ = first
        }
    }
}
