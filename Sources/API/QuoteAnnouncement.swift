import Foundation
import MarketCore

/// The `md_quotes` NOTIFY payload the processor sends (docs/processor.md, "Notifications"), read
/// back into a type before anything of it reaches a stream client. Any database login may NOTIFY
/// that channel, so the payload is input like any other: a field that is not what the processor
/// writes drops the announcement, and what is sent on is re-encoded, never the payload's bytes.
struct QuoteAnnouncement: Codable, Sendable, Equatable {
    var symbol: String
    var ts: String
    var bid: String?
    var ask: String?
    var bidSize: Int64
    var askSize: Int64

    /// The announcement in `payload`, or nil if it is not a valid one.
    static func read(_ payload: String) -> QuoteAnnouncement? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let quote = try? decoder.decode(QuoteAnnouncement.self, from: Data(payload.utf8)),
              RequestParameters.isSymbol(quote.symbol),
              Timestamp(rfc3339: quote.ts)?.isStorable == true,
              quote.bid.map({ Price($0) != nil }) ?? true, quote.ask.map({ Price($0) != nil }) ?? true,
              quote.bidSize >= 0, quote.askSize >= 0
        else { return nil }
        return quote
    }
}
