import API
import Foundation
import HummingbirdTesting
import PipelineContracts
import PostgresNIO
import Testing

/// Issue 18: `POST /instruments` adds an instrument (as the API's own role) and its trigger
/// announces it on `instruments`, which the processor follows.
@Suite struct InstrumentWriteTests {
    @Test func createsValidatesAndAnnounces() async throws {
        try await APITest.withAPI { client, pg, logger in
            let payloads: [String] = try await pg.withConnection { listener in
                try await listener.listen(on: InstrumentsNotice.channel.name) { notices in
                    let created = try await client.send(.post, "/api/v1/instruments", json: #"""
                        {"symbol":"NEWCO","name":"New Co","kind":"equity","tick_size":"0.05","lot_size":10}
                        """#)
                    #expect(created.status == .created)
                    let body = try APITest.decode(InstrumentBody.self, created)
                    #expect((body.symbol, body.tickSize, body.lotSize, body.multiplier, body.currency, body.active) == ("NEWCO", "0.05", 10, "1", "USD", true))
                    var seen: [String] = []
                    for try await notice in notices {
                        seen.append(notice.payload)
                        break
                    }
                    return seen
                }
            }
            #expect(payloads.count == 1 && InstrumentsNotice.read(payloads[0]) != nil, "the processor hears of it")
            let listed = try APITest.decode(InstrumentListBody.self, try await client.get("/api/v1/instruments"))
            #expect(listed.instruments.map(\.symbol).contains("NEWCO"))

            let option = try await client.send(.post, "/api/v1/instruments", json: #"""
                {"symbol":"NEWCO-C-10","kind":"option","tick_size":"0.01","multiplier":"100","underlying":"NEWCO","strike":"10",
                 "expiry":"2030-06-21","option_right":"call"}
                """#)
            #expect(option.status == .created)
            #expect(try APITest.decode(InstrumentBody.self, option).strike == "10")

            try APITest.expectProblem(try await client.send(.post, "/api/v1/instruments", json: #"{"symbol":"NEWCO","kind":"equity","tick_size":"0.01"}"#), .conflict)
            let invalid = try APITest.expectProblem(try await client.send(.post, "/api/v1/instruments", json: #"""
                {"symbol":"bad symbol","kind":"bond","tick_size":"-1","lot_size":0,"currency":"usd","extra":1}
                """#), .unprocessableContent)
            #expect(Set(invalid.errors?.map(\.field) ?? []) == ["symbol", "kind", "tick_size", "lot_size", "currency", "extra"])
            let incomplete = try APITest.expectProblem(try await client.send(.post, "/api/v1/instruments", json: #"""
                {"symbol":"X-C-1","kind":"option","tick_size":"0.01","underlying":"NOPE","expiry":"2030-13-01"}
                """#), .unprocessableContent)
            #expect(Set(incomplete.errors?.map(\.field) ?? []) == ["strike", "option_right", "expiry", "underlying"])
            try APITest.expectProblem(try await client.send(.post, "/api/v1/instruments", json: #"{"symbol":"E2","kind":"equity","tick_size":"0.01","strike":"5"}"#), .unprocessableContent)
            try APITest.expectProblem(try await client.send(.post, "/api/v1/instruments", json: #"{"symbol":"E3","kind":"equity","tick_size":"0.01"}"#, apiKey: APITest.readerKey), .forbidden)
            try APITest.expectProblem(try await client.send(.post, "/api/v1/instruments", json: "[]"), .badRequest)
            let rows = try await pg.query("SELECT count(*)::int FROM market.instruments WHERE symbol LIKE 'E_' OR symbol LIKE 'X-%'", logger: logger)
            for try await n in rows.decode(Int.self) { #expect(n == 0) }
        }
    }
}
