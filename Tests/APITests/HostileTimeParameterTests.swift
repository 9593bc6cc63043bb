@testable import API
import Foundation
import HummingbirdTesting
import Testing

/// Issue 23, finding 1: one anonymous GET with a time far outside what the system stores killed the
/// API process (a negative year trapped while formatting the derived range). Every time parameter
/// and cursor is now checked against the storable range (1970 up to 2200) and refused with a 400.
@Suite struct HostileTimeParameterTests {
    @Test func timesOutsideTheStorableRangeAreRefusedNeverACrash() async throws {
        try await APITest.withAPI { client, _, _ in
            let refused = [
                "/api/v1/trades/AAA?to=0000-01-05T00:00:00Z",
                "/api/v1/trades/AAA?from=9999-12-31T00:00:00Z",
                "/api/v1/trades/AAA?from=1969-12-31T23:59:59Z",
                "/api/v1/trades/AAA?to=2200-01-01T00:00:00Z",
                "/api/v1/market/data/AAA?to=0000-01-05T00:00:00Z",
                "/api/v1/market/data/AAA?from=0001-01-01T00:00:00%2B01:00",
                "/api/v1/risk/metrics/alpha?history=true&to=0000-01-05T00:00:00Z",
                "/api/v1/bars/AAA?from=0000-01-01T00:00:00Z",
                "/api/v1/trades/AAA?cursor=\(Base64URL.encode("0000-01-01T00:00:00Z|0"))",
                "/api/v1/trades/AAA?cursor=\(Base64URL.encode("9999-12-31T23:59:59Z|1"))",
                // A forged cursor asking to skip deep (an OFFSET the database would read through).
                "/api/v1/trades/AAA?cursor=\(Base64URL.encode("2026-01-01T00:00:00Z|\(PageCursor.maxSkip + 1)"))",
            ]
            for path in refused {
                let response = try await client.get(path)
                #expect(response.status == .badRequest, "\(path)")
            }
            // The edges of the range still answer: a range derived from them is clamped, not negative.
            for path in ["/api/v1/trades/AAA?to=1970-01-02T00:00:00Z", "/api/v1/trades/AAA?from=2199-12-31T00:00:00Z",
                         "/api/v1/market/data/AAA?to=1970-01-01T00:00:01Z", "/api/v1/bars/AAA?to=1970-01-01T00:10:00Z",
                         "/api/v1/risk/metrics/alpha?history=true&to=1970-01-03T00:00:00Z"] {
                let response = try await client.get(path)
                #expect(response.status == .ok, "\(path)")
            }
            // Still alive.
            #expect(try await client.get("/api/v1/trades/AAA").status == .ok)
        }
    }
}
