import Foundation
import MarketCore
import MarketMessages
import Testing

@Suite struct SyntheticMarketTests {
    static let symbols: [(Symbol, Price)] = [(Symbol("AAPL")!, Price("190")!), (Symbol("MSFT")!, Price("410")!)]

    @Test func everyMessageIsValidWireFormatKeyedBySymbol() throws {
        var market = SyntheticMarket(symbols: Self.symbols, seed: 3)
        var topics: [String: Int] = [:]
        for i in 0..<20_000 {
            let m = market.next(at: Timestamp(microseconds: 1_800_000_000_000_000 + Int64(i)))
            topics[m.topic, default: 0] += 1
            try m.value.withUnsafeBytes { raw in
                switch m.topic {
                case "md.quotes":
                    let q = try MessageDecoder.quote(raw)
                    #expect(q.symbol.rawValue == m.key)
                    #expect(q.bid! < q.ask!)
                case "md.trades":
                    #expect(try MessageDecoder.tradePrint(raw).symbol.rawValue == m.key)
                default:
                    let object = try JSONSerialization.jsonObject(with: Data(m.value)) as! [String: Any]
                    #expect(object["symbol"] as? String == m.key)
                    #expect(["new", "cancel"].contains(object["type"] as? String))
                }
            }
        }
        // The default mix is 6 : 2 : 2.
        #expect(abs(Double(topics["md.quotes"]!) / 20_000 - 0.6) < 0.02)
        #expect(abs(Double(topics["orders.commands"]!) / 20_000 - 0.2) < 0.02)
    }

    @Test func theSameSeedGivesTheSameStream() {
        var a = SyntheticMarket(symbols: Self.symbols, seed: 9)
        var b = SyntheticMarket(symbols: Self.symbols, seed: 9)
        for i in 0..<1_000 {
            let ts = Timestamp(microseconds: Int64(i))
            #expect(a.next(at: ts).value == b.next(at: ts).value)
        }
    }
}
