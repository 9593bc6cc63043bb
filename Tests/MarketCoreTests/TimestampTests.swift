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

    /// Issue 23: formatting must never trap, whatever the value (a derived range end, a producer's
    /// timestamp); the storable range is what inputs are checked against.
    @Test func formattingIsTotalAndTheStorableRangeIsNineteenSeventyToTwentyTwoHundred() {
        for micros: Int64 in [.min, .min + 1, -62_167_219_200_000_000 - 1, -1, 0, 7_258_118_400_000_000, 253_402_300_800_000_000, .max] {
            let ts = Timestamp(microseconds: micros)
            #expect(!ts.postgresText.isEmpty)
            #expect(!ts.rfc3339.isEmpty)
        }
        #expect(Timestamp(microseconds: .min).epochDay == Int64.min / 86_400_000_000 - 1)
        #expect(Timestamp(rfc3339: "0000-01-05T00:00:00Z")?.isStorable == false)
        #expect(Timestamp(rfc3339: "9999-12-31T23:59:59Z")?.isStorable == false)
        #expect(Timestamp(rfc3339: "1969-12-31T23:59:59.999999Z")?.isStorable == false)
        #expect(Timestamp(rfc3339: "1970-01-01T00:00:00Z")?.isStorable == true)
        #expect(Timestamp(rfc3339: "2199-12-31T23:59:59.999999Z")?.isStorable == true)
        #expect(Timestamp(rfc3339: "2200-01-01T00:00:00Z")?.isStorable == false)
        #expect(Timestamp(microseconds: -5).clampedToStorable.microseconds == 0)
        #expect(Timestamp(microseconds: .max).clampedToStorable == Timestamp.storable.upperBound)
        #expect(Timestamp(secondsSince1970: 9.3e15) == nil)
        #expect(Timestamp(secondsSince1970: .nan) == nil)
        #expect(Timestamp(secondsSince1970: 1.5)?.microseconds == 1_500_000)
    }

    /// Anything the parser accepts formats back to an instant it parses to the same value: random
    /// texts shaped like RFC 3339 (any digits, any separators from a small set) either round-trip
    /// or are refused, and never trap.
    @Test func anythingParsedRoundTripsOrIsRefused() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789-:T.Z+ zt".utf8)
        var accepted = 0
        for i in 0..<20_000 {
            var bytes = Array("2026-11-26T14:30:00.123456Z".utf8)
            if i % 2 == 0 {
                // Random digits in every digit position: years 0000-9999, months 00-99, …
                for j in bytes.indices where bytes[j] >= UInt8(ascii: "0") && bytes[j] <= UInt8(ascii: "9") {
                    bytes[j] = UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng)
                }
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = alphabet.randomElement(using: &rng)!
                }
            }
            guard let ts = Timestamp(rfc3339: String(decoding: bytes, as: UTF8.self)) else { continue }
            accepted += 1
            #expect(Timestamp(rfc3339: ts.rfc3339) == ts, "\(String(decoding: bytes, as: UTF8.self))")
            _ = ts.postgresText
        }
        #expect(accepted > 100)
    }
}
