/// A UTC instant with microsecond resolution: microseconds since 1970-01-01T00:00:00Z.
///
/// Parsed from and formatted to RFC 3339 without Foundation, because the ingest path handles
/// hundreds of thousands of them per second.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var microseconds: Int64

    @inlinable public init(microseconds: Int64) { self.microseconds = microseconds }

    @inlinable public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    /// The instants this system stores and accepts as input: from 1970-01-01T00:00:00Z up to, not
    /// including, 2200-01-01T00:00:00Z. Kafka decoders, API parameters and cursors refuse anything
    /// else with a reason (docs/messages.md, "Time"); PostgreSQL could store more, but nothing real
    /// lies outside, and a year 0 or 9999 in a feed is a bug or an attack.
    public static let storable = Timestamp(microseconds: 0)..<Timestamp(microseconds: 7_258_118_400_000_000)

    /// Whether this instant lies in `storable`.
    @inlinable public var isStorable: Bool { microseconds >= 0 && microseconds < 7_258_118_400_000_000 }

    /// The nearest instant within `storable` (its upper bound included): for range ends derived by
    /// arithmetic from a valid one.
    public var clampedToStorable: Timestamp {
        Timestamp(microseconds: min(max(microseconds, Self.storable.lowerBound.microseconds), Self.storable.upperBound.microseconds))
    }

    /// Microseconds since the epoch of a `Date`-like count of seconds, or nil when it is not finite or
    /// does not fit (a Kafka message timestamp is whatever its producer set).
    public init?(secondsSince1970 seconds: Double) {
        let micros = (seconds * 1_000_000).rounded()
        guard let value = Int64(exactly: micros) else { return nil }
        self.init(microseconds: value)
    }

    /// Days since the epoch of the UTC day this instant falls in (floor division; total).
    public var epochDay: Int64 {
        let perDay: Int64 = 86_400_000_000
        return microseconds >= 0 ? microseconds / perDay : -((-(microseconds + 1)) / perDay) - 1
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.ffffff…](Z|±HH:MM)`; `t`, `z` and a space instead of `T` are accepted.
    /// More than six fraction digits are truncated. Returns nil for anything else or impossible dates.
    public init?(rfc3339 text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard let value = utf8.withUnsafeBytes({ Timestamp.parse($0) }) else { return nil }
        self = value
    }

    public static func parse(_ s: UnsafeRawBufferPointer) -> Timestamp? {
        func digits(_ at: Int, _ n: Int) -> Int64? {
            guard at + n <= s.count else { return nil }
            var v: Int64 = 0
            for i in at..<at + n {
                let d = s[i] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                v = v * 10 + Int64(d)
            }
            return v
        }
        guard s.count >= 20,
              let year = digits(0, 4), s[4] == UInt8(ascii: "-"), let month = digits(5, 2), s[7] == UInt8(ascii: "-"),
              let day = digits(8, 2),
              s[10] == UInt8(ascii: "T") || s[10] == UInt8(ascii: "t") || s[10] == UInt8(ascii: " "),
              let hour = digits(11, 2), s[13] == UInt8(ascii: ":"), let minute = digits(14, 2),
              s[16] == UInt8(ascii: ":"), let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= CivilCalendar.daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 61  // a leap second is folded into the next minute
        else { return nil }
        var i = 19
        var micros: Int64 = 0
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            var n = 0
            while i < s.count, s[i] &- UInt8(ascii: "0") < 10 {
                if n < 6 { micros = micros * 10 + Int64(s[i] - UInt8(ascii: "0")) }
                n += 1
                i += 1
            }
            guard n > 0 else { return nil }
            for _ in min(n, 6)..<6 { micros *= 10 }
        }
        guard i < s.count else { return nil }
        var offsetSeconds: Int64 = 0
        switch s[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = s[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(i + 1, 2), i + 3 < s.count, s[i + 3] == UInt8(ascii: ":"), let om = digits(i + 4, 2),
                  oh < 24, om < 60 else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
            i += 6
        default:
            return nil
        }
        guard i == s.count else { return nil }
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        // A zone offset can carry year 0000 into year -1 or 9999 into 10000: not writable back in
        // this form, so refused (everything parsed formats back to the same instant).
        guard seconds >= -62_167_219_200, seconds < 253_402_300_800 else { return nil }
        return Timestamp(microseconds: seconds * 1_000_000 + micros)
    }

    /// `2026-11-26T17:46:29.123456Z` (always six fraction digits).
    public var rfc3339: String { format(separator: "T", zone: "Z") }

    /// `2026-11-26 17:46:29.123456+00`, the form PostgreSQL's COPY reads fastest.
    public var postgresText: String { format(separator: " ", zone: "+00") }

    public var description: String { rfc3339 }

    private func format(separator: String, zone: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        appendPostgres(to: &bytes, separator: UInt8(ascii: separator == "T" ? "T" : " "))
        bytes.removeLast(3)
        return String(decoding: bytes, as: UTF8.self) + zone
    }

    /// Appends `YYYY-MM-DD HH:MM:SS.ffffff+00` to `out` without allocating a String. Total: a year
    /// outside 0...9999 is written with its sign and all its digits (PostgreSQL then refuses it;
    /// inputs are checked against `storable` long before).
    public func appendPostgres(to out: inout [UInt8], separator: UInt8 = UInt8(ascii: " ")) {
        let perDay: Int64 = 86_400_000_000
        let day = epochDay
        let inDay = microseconds &- day &* perDay  // in 0..<perDay: exact even where day * perDay overflows
        let (y, m, d) = CivilCalendar.civilFromDays(day)
        func put(_ v: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            guard v >= 0, v / 10 < divisor else { return putAnyWidth(v, width) }
            var rest = v
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        func putAnyWidth(_ v: Int64, _ width: Int) {
            if v < 0 { out.append(UInt8(ascii: "-")) }
            let digits = Array(String(v.magnitude).utf8)
            for _ in digits.count..<max(width, digits.count) { out.append(UInt8(ascii: "0")) }
            out.append(contentsOf: digits)
        }
        put(y, 4); out.append(UInt8(ascii: "-")); put(m, 2); out.append(UInt8(ascii: "-")); put(d, 2)
        out.append(separator)
        let secondsInDay = inDay / 1_000_000
        put(secondsInDay / 3600, 2); out.append(UInt8(ascii: ":"))
        put(secondsInDay / 60 % 60, 2); out.append(UInt8(ascii: ":"))
        put(secondsInDay % 60, 2); out.append(UInt8(ascii: "."))
        put(inDay % 1_000_000, 6)
        out.append(contentsOf: [UInt8(ascii: "+"), UInt8(ascii: "0"), UInt8(ascii: "0")])
    }
}
