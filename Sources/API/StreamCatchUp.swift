import PipelineContracts

/// What a stream sends in place of events it did not deliver: after a reconnect with
/// `Last-Event-ID`, and after its buffer overflowed (`dropped`).
/// - `trades:` channels: the stored prints after the client's cursor, in stream order, when the
///   cursor's print is still stored and at most `maxTrades` follow it; otherwise a `reload` event
///   with the reason, and the channel goes on from the newest stored print.
/// - the other channels: their current state, once (the events they missed carried states that
///   this one supersedes).
///
/// Prints that also arrive live are not sent twice: `StreamPosition.advance` lets through only
/// prints after the cursor.
struct StreamCatchUp {
    let hub: StreamHub
    let maxTrades: Int

    static let page = 1000

    /// Catches every channel up, sending each event with the position it leaves the stream at.
    /// With `reloadAll`, every `trades:` channel reloads for that reason.
    func run(_ position: inout StreamPosition, reloadAll: String? = nil,
             send: (StreamFrame, StreamPosition) async throws -> Void) async throws {
        let tape = TradeTape(database: hub.database)
        for symbol in position.tradeSymbols {
            let cursor = position.cursors[symbol, default: .origin]
            if let reason = try await reloadReason(symbol, cursor, tape: tape) ?? reloadAll {
                position.reset(symbol, to: try await tape.newest(symbol))
                try await send(try StreamFrame(.reload(ReloadEvent(channel: "trades:\(symbol)", reason: reason))), position)
                continue
            }
            // At most `maxTrades` were stored after the cursor when counted, and those include every
            // print the live mailbox does not bring: the pages stop a little beyond them.
            var from = cursor
            for _ in 0...(maxTrades / Self.page + 1) {
                let rows = try await tape.after(from, symbol: symbol, limit: Self.page)
                for (place, event) in rows where position.advance(symbol, to: place) {
                    var frame = try StreamFrame(.trade(event))
                    frame.trade = (symbol, place)
                    try await send(frame, position)
                }
                guard let last = rows.last, rows.count == Self.page else { break }
                from = last.cursor
            }
        }
        for topic in position.topics where topic.kind != .trades {
            if let frame = try await hub.currentState(of: topic) { try await send(frame, position) }
        }
    }

    private func reloadReason(_ symbol: String, _ cursor: TradeCursor, tape: TradeTape) async throws -> String? {
        guard try await tape.holds(symbol, at: cursor) else {
            return "the last print this stream sent is no longer stored (dropped by retention, or the database was restored)"
        }
        guard try await tape.count(after: cursor, symbol: symbol, upTo: maxTrades + 1) <= maxTrades else {
            return "more than \(maxTrades) prints were missed (api.streamResumeMaxTrades)"
        }
        return nil
    }
}
