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
                #expect(index.pairs.count == expected.count)
                #expect(Dictionary(uniqueKeysWithValues: index.pairs.map { ($0.id, $0.slot) }) == expected)
            }
        }
        for (key, slot) in expected { #expect(index[OrderID(key)] == slot) }
        #expect(index[OrderID(UInt64.max)] == nil)
    }

    /// A book's ids as `MatchingEngine` numbers them, mostly in sequence: the newest live in the
    /// ring, and the ones its window passes move to the table, where they stay findable and
    /// removable; jumps past the whole window, ids out of sequence and growth keep every entry.
    @Test func sequentialIdsMoveFromTheRingToTheTableAsTheWindowPasses() {
        var random = SplitMix64(seed: 9)
        var index = OrderIndex(capacity: 32)  // a ring of 64 ids
        var expected: [UInt64: Int32] = [:]
        var next: UInt64 = 1
        for step in 0..<20_000 {
            switch random.below(10) {
            case 0..<6:  // the next id
                index.set(OrderID(next), Int32(step)); expected[next] = Int32(step); next += 1
            case 6..<9:  // cancel one: new or old
                if let victim = expected.keys.randomElement(using: &random) { index.remove(OrderID(victim)); expected[victim] = nil }
            default:
                if random.chance(50) {  // a jump past the whole window
                    next += UInt64(64 + random.below(200))
                } else if next > 1 {  // an id out of sequence, behind the newest (a snapshot's order)
                    let id = UInt64(1 + random.below(Int(next - 1)))
                    index.set(OrderID(id), Int32(step)); expected[id] = Int32(step)
                }
            }
            if step == 10_000 { index.reserveCapacity(1_000) }  // a wider ring, re-placing its ids
            if step % 499 == 0 {
                #expect(index.count == expected.count)
                for (key, slot) in expected { #expect(index[OrderID(key)] == slot, "id \(key) at step \(step)") }
                #expect(Dictionary(uniqueKeysWithValues: index.pairs.map { ($0.id, $0.slot) }) == expected)
            }
        }
        #expect(index.table.count > 0 && index.ring.contains { $0 >= 0 }, "both parts were used")
        for (key, slot) in expected { #expect(index[OrderID(key)] == slot) }
    }
}
