import MarketCore
import Testing
@testable import Accounts

/// The average-cost method (docs/processor.md, "Positions and P&L"), by hand-worked examples and by
/// properties that hold for any sequence of fills.
@Suite struct PositionTests {
    static let unit = Int128(Price.scale)

    @Test func textbookAverageCost() {
        var p = Position()
        p.apply(.buy, quantity: 100, price: 10 * Price.scale)
        p.apply(.buy, quantity: 100, price: 12 * Price.scale)
        #expect(p.quantity == 200 && p.costBasis == 2_200 * Self.unit && p.averagePrice == 11 * Self.unit)
        p.apply(.sell, quantity: 50, price: 15 * Price.scale)  // realizes 50 × (15 - 11)
        #expect(p.quantity == 150 && p.realizedPnL == 200 * Self.unit && p.averagePrice == 11 * Self.unit)
        p.apply(.sell, quantity: 250, price: 9 * Price.scale)  // closes 150 at 9 (-300), opens 100 short at 9
        #expect(p.quantity == -100 && p.realizedPnL == -100 * Self.unit && p.costBasis == -900 * Self.unit)
        #expect(p.averagePrice == 9 * Self.unit && p.unrealizedPnL(at: 8 * Price.scale) == 100 * Self.unit)
        p.apply(.buy, quantity: 100, price: 10 * Price.scale)  // covers at a loss of 100
        #expect(p.quantity == 0 && p.costBasis == 0 && p.realizedPnL == -200 * Self.unit && p.averagePrice == nil && p.fills == 5)
    }

    @Test func aThirdOfTheCostIsTruncatedTowardZero() {
        var p = Position()
        p.apply(.buy, quantity: 3, price: 1)  // cost 3 units... then 1 more at 2: cost 5 over 4
        p.apply(.buy, quantity: 1, price: 2)
        p.apply(.sell, quantity: 3, price: 2)  // removes 5 × 3 / 4 = 3 (3.75 truncated)
        #expect(p.costBasis == 2 && p.realizedPnL == 3 && p.quantity == 1)
    }

    /// For any fills: the quantity is their signed sum; realized P&L minus the cost basis is the cash
    /// they moved, exactly (so realized + unrealized at any mark is the true P&L); flat means a cost
    /// basis of 0; and the average price stays within the prices of the fills since the position
    /// was last flat or flipped.
    @Test(arguments: 0..<200)
    func propertiesOfRandomFills(seed: Int) {
        var random = SplitMix(seed: UInt64(seed))
        var p = Position()
        var cash: Int128 = 0
        var quantity: Int64 = 0
        var low = Int64.max, high = Int64.min
        for _ in 0..<Int(random.next() % 60 + 1) {
            let side: Side = random.next() % 2 == 0 ? .buy : .sell
            let q = Int64(random.next() % 500 + 1)
            let price = Int64(random.next() % 10_000 + 1) * 1_000_000
            let before = p.quantity
            p.apply(side, quantity: q, price: price)
            let signed = side == .buy ? q : -q
            quantity += signed
            cash -= Int128(signed) * Int128(price)
            if before == 0 || (before > 0) != (p.quantity > 0) { low = price; high = price }
            else if (signed > 0) == (before > 0) { low = min(low, price); high = max(high, price) }
            #expect(p.quantity == quantity)
            #expect(p.realizedPnL - p.costBasis == cash)
            if p.quantity == 0 { #expect(p.costBasis == 0) } else if let average = p.averagePrice {
                #expect(average >= Int128(low) - 1 && average <= Int128(high) + 1, "average \(average) within [\(low), \(high)]")
            }
        }
    }

    @Test func decimalTextRoundTrips() {
        for units: Int128 in [0, 1, -1, 12_345_678_901, -1_250_000_000, Int128(Int64.max) * 1_000_000] {
            #expect(DecimalUnits.units(DecimalUnits.text(units)) == units)
        }
        #expect(DecimalUnits.text(-1_250_000_000) == "-12.50000000")
        #expect(DecimalUnits.units("3") == 300_000_000 && DecimalUnits.units("-0.5") == -50_000_000)
        for bad in ["", "-", "1.", ".5", "1.123456789", "1e5", "--1", "1.-5", "x"] { #expect(DecimalUnits.units(bad) == nil, "\(bad)") }
    }
}

/// A small deterministic generator for the property tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
