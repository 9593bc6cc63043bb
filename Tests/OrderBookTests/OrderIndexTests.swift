import MarketCore
import Testing
@testable import OrderBook

@Suite("OrderIndex")
struct OrderIndexTests {
    /// Random inserts and removals, with sequential, clustered and colliding keys, against a Dictionary.
    @Test(arguments: [UInt64(1), 2, 3])
    func behavesLikeADictionary(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var index = OrderIndex()
        var expected: [UInt64: Int32] = [:]
        var nextKey: UInt64 = 0
        for step in 0..<40_000 {
            let key: UInt64 = switch random.below(4) {
            case 0: random.next()
            case 1: UInt64(random.below(64)) << 20  // same low bits, many collisions of blocks
            default: { nextKey += 1; return nextKey }()
            }
            if random.chance(55) || expected.isEmpty {
                index.set(OrderID(key), Int32(step))
                expected[key] = Int32(step)
            } else {
                let victim = random.chance(80) ? expected.keys.randomElement(using: &random)! : key
                index.remove(OrderID(victim))
                expected[victim] = nil
            }
            if step % 997 == 0 {
                #expect(index.count == expected.count)
                for (key, slot) in expected { #expect(index[OrderID(key)] == slot) }
                #expect(index.entries.filter { $0.slot >= 0 }.count == expected.count)
            }
        }
        for (key, slot) in expected { #expect(index[OrderID(key)] == slot) }
        #expect(index[OrderID(UInt64.max)] == nil)
    }
}
