import Foundation
import MarketCore
import Testing

@Suite struct PriceTests {
    @Test(arguments: [
        ("101.25", Int64(10_125_000_000)), ("0.00000001", 1), ("-0.5", -50_000_000), ("7", 700_000_000),
        ("+3.10", 310_000_000), ("1.230000000", 123_000_000), (".5", 50_000_000),
    ])
    func parsesExactDecimals(text: String, units: Int64) {
        #expect(Price(text)?.units == units)
    }

    @Test(arguments: ["", "-", ".", "1e3", "1.2.3", " 1", "1.000000001", "abc", "99999999999999999999", "1,5"])
    func rejectsAnythingElse(text: String) {
        #expect(Price(text) == nil)
    }

    @Test func formatsShortestExactString() {
        #expect(Price(units: 10_125_000_000).decimalString == "101.25")
        #expect(Price(units: 1).decimalString == "0.00000001")
        #expect(Price(units: -50_000_000).decimalString == "-0.5")
        #expect(Price(units: 700_000_000).decimalString == "7")
        #expect(Price(units: Int64.min).decimalString == "-92233720368.54775808")
    }

    @Test func roundTripsThroughText() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let units = Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &generator)
            #expect(Price(Price(units: units).decimalString)?.units == units)
        }
    }

    /// Hostile input (issue 23): mutated decimal text either parses to exactly the value Foundation's
    /// Decimal reads from it (and formats back to the same units), or is refused; nothing traps,
    /// also at and just beyond the 64-bit edges.
    @Test func anythingParsedIsExactOrRefused() {
        var rng = SplitMix64(seed: 2026)
        let alphabet = Array("0123456789.-+eE ,x\u{0}")
        var texts = ["92233720368.54775807", "92233720368.54775808", "-92233720368.54775808", "-92233720368.54775809",
                     "00000000000000000000000001", "1" + String(repeating: "0", count: 40), "0." + String(repeating: "0", count: 40) + "1"]
        for _ in 0..<20_000 {
            var bytes = Array(Price(units: Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &rng)).decimalString)
            for _ in 0..<rng.below(4) {
                switch rng.below(3) {
                case 0 where !bytes.isEmpty: bytes[rng.below(bytes.count)] = alphabet[rng.below(alphabet.count)]
                case 1: bytes.insert(alphabet[rng.below(alphabet.count)], at: rng.below(bytes.count + 1))
                default: if !bytes.isEmpty { bytes.remove(at: rng.below(bytes.count)) }
                }
            }
            texts.append(String(bytes))
        }
        var parsed = 0
        for text in texts {
            guard let price = Price(text) else { continue }
            parsed += 1
            let exact = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
            #expect(exact == Decimal(price.units) / Decimal(Price.scale), "\(text) -> \(price.units)")
            #expect(Price(price.decimalString) == price, "\(text)")
        }
        #expect(parsed > 1_000 && parsed < texts.count, "both kinds occur: \(parsed) of \(texts.count) parsed")
    }

    @Test func symbolsAreValidated() {
        #expect(Symbol("AAPL") != nil)
        #expect(Symbol("AAPL-20261218-C-200") != nil)
        #expect(Symbol("") == nil)
        #expect(Symbol("DROP TABLE;") == nil)
        #expect(Symbol(String(repeating: "A", count: 41)) == nil)
    }
}
