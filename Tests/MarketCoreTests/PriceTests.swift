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

    @Test func symbolsAreValidated() {
        #expect(Symbol("AAPL") != nil)
        #expect(Symbol("AAPL-20261218-C-200") != nil)
        #expect(Symbol("") == nil)
        #expect(Symbol("DROP TABLE;") == nil)
        #expect(Symbol(String(repeating: "A", count: 41)) == nil)
    }
}
