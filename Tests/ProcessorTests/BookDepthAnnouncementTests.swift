import Foundation
import MarketCore
import Processor
import Store
import Testing

/// The published depth (`trading.book_depth`) and its `book_depth` announcement, which the API's
/// read cache relies on: one row and one announcement per book changed since the last publication,
/// in the same batch (so the announcement is sent exactly when the row commits).
@Suite struct BookDepthAnnouncementTests {
    @Test func changedBooksArePublishedAndAnnouncedInOneBatch() throws {
        var core = ProcessorCore(instruments: testInstruments)
        var flow = OrderFlow(seed: 3)
        for offset in 0..<200 { core.handle(command(flow.next(symbols: ["AAA", "BBB"]), offset: Int64(offset))) }
        #expect(core.hasUnpublishedDepth)
        core.appendDepth(takenAt: t0)
        #expect(!core.hasUnpublishedDepth)
        let (batch, _) = core.takeBatch()
        #expect(batch.bookDepth.map(\.symbol) == ["AAA", "BBB"])
        let announced = batch.notifications.filter { $0.channel == .bookDepth }.map(\.payload)
        for (row, payload) in zip(batch.bookDepth, announced) {
            let book = core.engines[0]!.book(Symbol(row.symbol)!)!
            #expect(row.sequence == Int64(book.sequence) && row.nextOffset == 200)
            #expect(row.bestBid == book.bestBid?.price.decimalString && row.bestAsk == book.bestAsk?.price.decimalString)
            #expect(row.bidDepth == book.depth(.buy, levels: .max).reduce(0) { $0 + $1.quantity.value })
            #expect(payload == #"{"symbol":"\#(row.symbol)","seq":\#(book.sequence)}"#)
        }
        #expect(announced.count == 2)

        // Only the book that changed since is published next time.
        for offset in 200..<210 { core.handle(command(flow.next(symbols: ["AAA"]), offset: Int64(offset))) }
        core.appendDepth(takenAt: t0)
        #expect(core.takeBatch().0.bookDepth.map(\.symbol) == ["AAA"])
    }

    @Test func rebuiltBooksArePublishedAgain() {
        var core = ProcessorCore(instruments: testInstruments)
        var flow = OrderFlow(seed: 5)
        // Replayed after an assignment: nothing recorded, but the books are published, since the
        // previous owner may have stopped before publishing their last changes.
        for offset in 0..<50 { core.replay(command(flow.next(symbols: ["AAA", "CCC"]), offset: Int64(offset))) }
        core.appendDepth(takenAt: t0)
        let (batch, _) = core.takeBatch()
        #expect(batch.bookDepth.map(\.symbol) == ["AAA", "CCC"])
        #expect(batch.orders.rowCount == 0)
    }
}
