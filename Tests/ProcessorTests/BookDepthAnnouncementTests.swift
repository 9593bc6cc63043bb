import Foundation
import MarketCore
import Processor
import Store
import Testing

/// The `book_depth` announcement the API's read cache relies on: one per book snapshot row, in the
/// batch that writes the row (so it is sent exactly when the row commits), naming the symbol first.
@Suite struct BookDepthAnnouncementTests {
    @Test func everySnapshotRowIsAnnouncedInItsBatch() throws {
        var core = ProcessorCore(instruments: testInstruments)
        var flow = OrderFlow(seed: 3)
        for offset in 0..<200 { core.handle(command(flow.next(symbols: ["AAA", "BBB"]), offset: Int64(offset))) }
        let (quiet, _) = core.takeBatch()
        #expect(!quiet.notifications.contains { $0.channel == ProcessorCore.depthChannel })

        for offset in 200..<210 { core.handle(command(flow.next(symbols: ["AAA"]), offset: Int64(offset))) }
        core.appendSnapshots(consumerGroup: "g", takenAt: t0)
        let (batch, _) = core.takeBatch()
        let announced = batch.notifications.filter { $0.channel == ProcessorCore.depthChannel }.map(\.payload)
        #expect(batch.bookSnapshots.rowCount == 2)
        #expect(announced.count == 2)
        for (symbol, payload) in zip(["AAA", "BBB"], announced) {
            #expect(payload.hasPrefix(#"{"symbol":"\#(symbol)","seq":"#))
            let seq = try JSONDecoder().decode([String: JSONNumberOrString].self, from: Data(payload.utf8))["seq"]
            #expect(seq == .number(Double(core.engines[0]!.book(Symbol(symbol)!)!.sequence)))
        }
    }
}

/// Just enough JSON to read an announcement's fields.
enum JSONNumberOrString: Decodable, Equatable {
    case number(Double), string(String)
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Double.self) { self = .number(n) } else { self = .string(try c.decode(String.self)) }
    }
}
