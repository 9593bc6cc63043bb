import Foundation
import MarketCore

/// The opaque `cursor` of a tick page (newest first): the time of the last row returned and how
/// many rows with exactly that time were returned so far. Rows are ordered by time and then by
/// every other column, so equal-time rows keep one order and the next page skips exactly those seen.
/// The cursor is not signed, so its skip is bounded (`maxSkip`): a forged cursor costs the database
/// at most that many index entries, as a real one does. More rows than that at one microsecond is
/// not a feed this API pages through.
struct PageCursor: Sendable, Equatable {
    static let maxSkip = 10_000

    var ts: String
    var skip: Int

    var encoded: String { Base64URL.encode("\(ts)|\(skip)") }

    init(ts: String, skip: Int) {
        self.ts = ts
        self.skip = skip
    }

    init?(encoded: String) {
        guard let text = Base64URL.decode(encoded) else { return nil }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 2, Timestamp(rfc3339: parts[0])?.isStorable == true,
              let skip = Int(parts[1]), (0...Self.maxSkip).contains(skip) else { return nil }
        self.init(ts: String(parts[0]), skip: skip)
    }

    /// The cursor after a page whose row times are `times` (newest first), which began at `previous`.
    static func after(_ times: [String], previous: PageCursor?) -> PageCursor? {
        guard let last = times.last else { return nil }
        var skip = times.reversed().prefix { $0 == last }.count
        if let previous, previous.ts == last { skip += previous.skip }
        return PageCursor(ts: last, skip: skip)
    }

    static func read(_ parameters: RequestParameters) throws -> PageCursor? {
        guard let text = parameters.query("cursor") else { return nil }
        guard let cursor = PageCursor(encoded: text) else {
            throw Problem.badParameter("cursor", "not a cursor this API returned")
        }
        return cursor
    }
}
