import MarketCore

/// Rows for one table in PostgreSQL's COPY text format, built without intermediate Strings.
///
/// Fields are tab-separated, rows end with a newline, NULL is `\N`, and text is escaped
/// (backslash, tab, newline, carriage return) as COPY requires.
public struct CopyTextRows: Sendable {
    public let table: String
    public let columns: [String]
    public private(set) var bytes: [UInt8] = []
    public private(set) var rowCount = 0
    /// UTC days (since the epoch) spanned by the rows' partition key, to repair missing partitions.
    public private(set) var days: ClosedRange<Int64>?
    /// The distinct UTC days of the partition keys (at most `maxDistinctDays`): a missing partition
    /// is made for these days only, never for every day between two far-apart rows.
    public private(set) var distinctDays: [Int64] = []
    public static let maxDistinctDays = 64
    private var lastDay: Int64 = .min
    private var fieldsInRow = 0

    public init(table: String, columns: [String], reserveBytes: Int = 0) {
        self.table = table
        self.columns = columns
        bytes.reserveCapacity(reserveBytes)
    }

    public var isEmpty: Bool { rowCount == 0 }

    /// Empties the rows for the next batch, reserving as many bytes as these rows used.
    ///
    /// The storage is not kept: the batch just taken usually still shares it while it commits, so
    /// `removeAll(keepingCapacity:)` allocated a fresh buffer of the largest capacity ever reached for
    /// every batch. One burst (large batches after a lag spike) or one snapshot of every engine then
    /// made each later batch reserve tens of MiB: the heap stepped up and never came back down.
    public mutating func removeAll() {
        let used = bytes.count
        bytes = []
        bytes.reserveCapacity(used)
        rowCount = 0
        days = nil
        distinctDays = []
        lastDay = .min
        fieldsInRow = 0
    }

    /// Takes whole rows built elsewhere (`keepingRows`).
    mutating func replaceRows(bytes: [UInt8], rowCount: Int, days: ClosedRange<Int64>?, distinctDays: [Int64]) {
        self.bytes = bytes
        self.rowCount = rowCount
        self.days = days
        self.distinctDays = distinctDays
        fieldsInRow = 0
    }

    private mutating func separator() {
        if fieldsInRow > 0 { bytes.append(0x09) }
        fieldsInRow += 1
    }

    public mutating func null() {
        separator()
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(UInt8(ascii: "N"))
    }

    /// The row's partition key: also widens `days`.
    public mutating func partitionKey(_ ts: Timestamp) {
        let day = ts.epochDay
        if day != lastDay {
            lastDay = day
            if distinctDays.count < Self.maxDistinctDays, !distinctDays.contains(day) { distinctDays.append(day) }
        }
        if let d = days {
            if day < d.lowerBound || day > d.upperBound { days = min(day, d.lowerBound)...max(day, d.upperBound) }
        } else {
            days = day...day
        }
        timestamp(ts)
    }

    public mutating func timestamp(_ ts: Timestamp) {
        separator()
        ts.appendPostgres(to: &bytes)
    }

    public mutating func int(_ value: Int64?) {
        guard let value else { return null() }
        separator()
        appendInteger(value)
    }

    public mutating func bool(_ value: Bool) {
        separator()
        bytes.append(value ? UInt8(ascii: "t") : UInt8(ascii: "f"))
    }

    public mutating func price(_ value: Price?) {
        guard let value else { return null() }
        separator()
        let units = value.units
        let magnitude = units.magnitude
        if units < 0 { bytes.append(UInt8(ascii: "-")) }
        appendUnsigned(magnitude / UInt64(Price.scale))
        var fraction = magnitude % UInt64(Price.scale)
        if fraction != 0 {
            bytes.append(UInt8(ascii: "."))
            var digits = Price.decimals
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            var divisor: UInt64 = 1
            for _ in 1..<digits { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
                divisor /= 10
            }
        }
    }

    /// Text that is known to need no escaping (validated symbols, enum names).
    public mutating func plain(_ text: String) {
        separator()
        bytes.append(contentsOf: text.utf8)
    }

    /// Any text, escaped for COPY.
    public mutating func text(_ value: String?) {
        guard let value else { return null() }
        separator()
        for b in value.utf8 {
            switch b {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: bytes.append(b)
            }
        }
    }

    /// Bytes as bytea hex input (`\x…`), its backslash escaped for COPY.
    public mutating func bytea(_ value: [UInt8]) {
        separator()
        bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
        let digits = Array("0123456789abcdef".utf8)
        for b in value {
            bytes.append(digits[Int(b >> 4)])
            bytes.append(digits[Int(b & 0x0F)])
        }
    }

    public mutating func endRow() {
        precondition(fieldsInRow == columns.count, "\(table): row has \(fieldsInRow) fields, expected \(columns.count)")
        bytes.append(0x0A)
        rowCount += 1
        fieldsInRow = 0
    }

    private mutating func appendInteger(_ v: Int64) {
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        appendUnsigned(v.magnitude)
    }

    private mutating func appendUnsigned(_ v: UInt64) {
        if v < 10 { bytes.append(UInt8(ascii: "0") + UInt8(v)); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var rest = v
        withUnsafeMutableBytes(of: &digits) { buf in
            while rest > 0 {
                buf[n] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                n += 1
            }
            for i in stride(from: n - 1, through: 0, by: -1) { bytes.append(buf[i]) }
        }
    }
}
