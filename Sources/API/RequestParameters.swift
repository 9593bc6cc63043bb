import Foundation
import Hummingbird
import MarketCore

/// Reading path and query parameters, refusing malformed ones with a 400 problem that names them.
/// Values only ever reach SQL as bind parameters.
struct RequestParameters {
    let request: Request
    let context: any RequestContext

    /// A path parameter, percent-decoded (a symbol may hold `/`, sent as `%2F`).
    func path(_ name: String) throws -> String {
        guard let raw = context.parameters.get(name) else { throw Problem.badParameter(name, "missing") }
        guard let value = raw.removingPercentEncoding else { throw Problem.badParameter(name, "bad percent-encoding") }
        return value
    }

    /// A symbol: 1–40 characters of `A-Z a-z 0-9 . _ - : /` (docs/messages.md).
    func symbol(_ name: String = "symbol") throws -> String {
        let value = try path(name)
        guard Self.isSymbol(value) else {
            throw Problem.badParameter(name, "a symbol is 1-40 characters of A-Z a-z 0-9 . _ - : /")
        }
        return value
    }

    static func isSymbol(_ value: String) -> Bool {
        (1...40).contains(value.utf8.count) && value.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
                || c == UInt8(ascii: ":") || c == UInt8(ascii: "/")
        }
    }

    /// An id (order, portfolio): 1–64 printable ASCII characters without spaces.
    func identifier(_ name: String) throws -> String {
        let value = try path(name)
        guard Self.isIdentifier(value) else { throw Problem.badParameter(name, "an id is 1-64 printable ASCII characters without spaces") }
        return value
    }

    static func isIdentifier(_ value: String) -> Bool {
        (1...64).contains(value.utf8.count) && value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    func query(_ name: String) -> String? {
        request.uri.queryParameters.get(name)
    }

    func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = query(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Problem.badParameter(name, "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func bool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let text = query(name) else { return fallback }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw Problem.badParameter(name, "true or false")
        }
    }

    func timestamp(_ name: String) throws -> Timestamp? {
        guard let text = query(name) else { return nil }
        guard let value = Timestamp(rfc3339: text) else {
            throw Problem.badParameter(name, "an RFC 3339 time with a zone, e.g. 2026-11-26T14:30:00Z")
        }
        guard value.isStorable else {
            throw Problem.badParameter(name, "a time from 1970-01-01T00:00:00Z up to 2200-01-01T00:00:00Z")
        }
        return value
    }

    /// `from` and `to` (RFC 3339, `[from, to)`), at most `maxDays` apart. Open ends stay open
    /// (the answer is still bounded by `limit`); one given end bounds the other by `maxDays`.
    func timeRange(maxDays: Int) throws -> TimeRange {
        let from = try timestamp("from"), to = try timestamp("to")
        let span = Int64(maxDays) * 86_400_000_000
        switch (from, to) {
        case (nil, nil):
            return TimeRange(from: nil, to: nil)
        case (let from?, nil):
            return TimeRange(from: from, to: Timestamp(microseconds: from.microseconds + span).clampedToStorable)
        case (nil, let to?):
            return TimeRange(from: Timestamp(microseconds: to.microseconds - span).clampedToStorable, to: to)
        case (let from?, let to?):
            guard from <= to else { throw Problem.badParameter("from", "must not be after to") }
            guard to.microseconds - from.microseconds <= span else {
                throw Problem.badParameter("to", "the range may span at most \(maxDays) days")
            }
            return TimeRange(from: from, to: to)
        }
    }
}

/// `[from, to)`; nil is unbounded. `sqlFrom`/`sqlTo` are bind values for a `::timestamptz` cast.
struct TimeRange: Sendable {
    var from: Timestamp?
    var to: Timestamp?
    var sqlFrom: String { from?.rfc3339 ?? "-infinity" }
    var sqlTo: String { to?.rfc3339 ?? "infinity" }
}
