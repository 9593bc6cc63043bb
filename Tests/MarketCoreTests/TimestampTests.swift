import Foundation
import MarketCore
import Testing

@Suite struct TimestampTests {
    @Test func parsesRFC3339WithZonesAndFractions() {
        #expect(Timestamp(rfc3339: "1970-01-01T00:00:00Z")?.microseconds == 0)
        #expect(Timestamp(rfc3339: "1970-01-01T00:00:01.5Z")?.microseconds == 1_500_000)
        #expect(Timestamp(rfc3339: "1970-01-01T01:00:00+01:00")?.microseconds == 0)
        #expect(Timestamp(rfc3339: "1969-12-31T23:59:59.999999Z")?.microseconds == -1)
        #expect(Timestamp(rfc3339: "2026-11-26T14:30:00.1234567Z")?.microseconds == Timestamp(rfc3339: "2026-11-26T14:30:00.123456Z")?.microseconds)
        #expect(Timestamp(rfc3339: "2024-02-29T00:00:00Z") != nil)
        for bad in ["2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T14:30:00",
                    "2026-11-26T14:30:00.Z", "2026-11-26", "2026-11-26T14:30:00+0100", "x026-11-26T14:30:00Z"] {
            #expect(Timestamp(rfc3339: bad) == nil, "\(bad)")
        }
    }

    @Test func agreesWithFoundationOverARandomSample() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let seconds = Int64.random(in: -2_000_000_000...4_000_000_000, using: &rng)
            let text = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            #expect(Timestamp(rfc3339: text)?.microseconds == seconds * 1_000_000, "\(text)")
            let ts = Timestamp(microseconds: seconds * 1_000_000 + Int64.random(in: 0..<1_000_000, using: &rng))
            #expect(Timestamp(rfc3339: ts.rfc3339) == ts)
        }
    }

    @Test func formatsForPostgres() {
        let ts = Timestamp(rfc3339: "2026-11-26T14:30:00.000042Z")!
        #expect(ts.postgresText == "2026-11-26 14:30:00.000042+00")
        #expect(Timestamp(microseconds: -1).postgresText == "1969-12-31 23:59:59.999999+00")
        #expect(Timestamp(microseconds: -1).epochDay == -1)
    }
}
