import Store
import Testing

/// What a batch's rows keep once emptied for the next batch (no database needed).
@Suite struct CopyTextRowsTests {
    static func rows(_ count: Int, into rows: inout CopyTextRows) {
        for i in 0..<count {
            rows.text("row \(i) with some text to make it longer than a few bytes")
            rows.int(Int64(i))
            rows.endRow()
        }
    }

    /// The processor hands each batch to a commit while it builds the next, so the emptied rows
    /// still share their storage with the batch being committed. One large batch must not make
    /// every later batch reserve as much (the soak's heap stepped up after each burst).
    @Test func oneLargeBatchDoesNotMakeEveryLaterBatchReserveAsMuch() {
        var rows = CopyTextRows(table: "t", columns: ["a", "b"])
        Self.rows(50_000, into: &rows)
        var committing = rows
        #expect(committing.bytes.count > 3_000_000)
        rows.removeAll()
        Self.rows(10, into: &rows)
        committing = rows
        rows.removeAll()
        #expect(rows.isEmpty && rows.bytes.isEmpty)
        #expect(rows.bytes.capacity < 10_000, "room for what the last batch used, not for the largest ever")
        Self.rows(10, into: &rows)
        #expect(rows.bytes == committing.bytes, "the same rows encode the same way after emptying")
    }
}
