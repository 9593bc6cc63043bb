// Driver of scripts/bench/engine-memory: MatchingEngine throughput and resident memory on a
// soak-like command stream over 8 symbols (45% new GTC limit orders a few ticks off the touch, 45%
// cancels of earlier orders, 10% marketable IOC orders), every client id fresh as in the soak.
// Compiled with MarketCore and OrderBook only; FORGETS is defined for engines with closedOrderMemory.
import Foundation
import MarketCore
import OrderBook

func residentMiB() -> Double {
    let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "0 0"
    return Double(Int(statm.split(separator: " ")[1]) ?? 0) * 4096 / 1_048_576
}

var state: UInt64 = 42
func random(_ bound: Int) -> Int {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int((state >> 33) % UInt64(bound))
}

let arguments = CommandLine.arguments
let count = arguments.count > 1 ? Int(arguments[1])! : 2_000_000
let memory = arguments.count > 2 ? Int(arguments[2])! : 100_000
var messages: [OrderCommandMessage] = []
messages.reserveCapacity(count)
var cancellable: [(id: String, symbol: String)] = []
for n in 0..<count {
    let roll = random(100)
    if roll < 45 && !cancellable.isEmpty {
        let pick = random(cancellable.count)
        messages.append(OrderCommandMessage(type: .cancel, orderID: cancellable[pick].id, symbol: cancellable[pick].symbol))
        cancellable.swapAt(pick, cancellable.count - 1)
        cancellable.removeLast()
        continue
    }
    let side: Side = random(2) == 0 ? .buy : .sell
    let marketable = roll >= 90
    let offset = Int64(random(10)) + 1
    let ticks = (side == .buy) == marketable ? 1000 + offset : 1000 - offset
    let symbol = "S\(n % 8)"
    messages.append(
        OrderCommandMessage(
            type: .new, orderID: "o-\(n)", symbol: symbol, side: side, orderType: .limit, price: Price(units: ticks * 1_000_000),
            quantity: Quantity(Int64(1 + random(5))), timeInForce: marketable ? .ioc : .gtc))
    if !marketable { cancellable.append(("o-\(n)", symbol)) }
}

#if FORGETS
var engine = MatchingEngine(defaultInstrument: Instrument(symbol: Symbol("X")!), closedOrderMemory: memory)
#else
var engine = MatchingEngine(defaultInstrument: Instrument(symbol: Symbol("X")!))
#endif
let before = residentMiB()
let start = Date()
var events = 0
for (n, message) in messages.enumerated() {
    events &+= engine.handle(message).count
    if (n + 1) % (count / 4) == 0 { print("after \(n + 1) commands: resident +\(String(format: "%.1f", residentMiB() - before)) MiB") }
}
let seconds = Date().timeIntervalSince(start)
print("live orders at the end: \(engine.books.values.reduce(0) { $0 + $1.book.orderCount })")
print("\(count) commands in \(String(format: "%.2f", seconds)) s: \(Int(Double(count) / seconds)) commands/s (\(events) events)")
