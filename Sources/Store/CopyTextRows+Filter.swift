extension CopyTextRows {
    /// These rows without those whose source message (`src_partition`, `src_offset` columns) `keep`
    /// refuses; a table without those columns (snapshots) is returned whole. For isolating the
    /// messages whose rows PostgreSQL refuses (`IngestBatch.keepingRows`): not on the hot path.
    public func keepingRows(_ keep: (_ partition: Int32, _ offset: Int64) -> Bool) -> CopyTextRows {
        guard let partitionColumn = columns.firstIndex(of: "src_partition"),
              let offsetColumn = columns.firstIndex(of: "src_offset")
        else { return self }
        var result = CopyTextRows(table: table, columns: columns)
        var kept: [UInt8] = []
        var rows = 0
        bytes.withUnsafeBufferPointer { b in
            var start = 0
            while start < b.count {
                var end = start
                while end < b.count, b[end] != 0x0A { end += 1 }
                var field = 0, fieldStart = start
                var partition: Int64 = -1, offset: Int64 = -1
                for i in start...end where i == end || b[i] == 0x09 {
                    if field == partitionColumn { partition = Self.integer(b, fieldStart..<i) }
                    if field == offsetColumn { offset = Self.integer(b, fieldStart..<i) }
                    field += 1
                    fieldStart = i + 1
                }
                if keep(Int32(truncatingIfNeeded: partition), offset) {
                    kept.append(contentsOf: b[start...min(end, b.count - 1)])
                    rows += 1
                }
                start = end + 1
            }
        }
        result.replaceRows(bytes: kept, rowCount: rows, days: days, distinctDays: distinctDays)
        return result
    }

    private static func integer(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64 {
        var value: Int64 = 0
        var negative = false
        for i in range {
            if b[i] == UInt8(ascii: "-") { negative = true; continue }
            value = value &* 10 &+ Int64(b[i] &- UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }
}
