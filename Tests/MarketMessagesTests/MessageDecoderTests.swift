import MarketCore
import MarketMessages
import Testing

private func decodeQuote(_ text: String) throws -> QuoteMessage {
    let bytes = Array(text.utf8)
    return try bytes.withUnsafeBytes { (raw) throws -> QuoteMessage in try MessageDecoder.quote(raw) }
}

private func decodeTrade(_ text: String) throws -> TradePrintMessage {
    let bytes = Array(text.utf8)
    return try bytes.withUnsafeBytes { (raw) throws -> TradePrintMessage in try MessageDecoder.tradePrint(raw) }
}

@Suite struct MessageDecoderTests {
    @Test func decodesAQuote() throws {
        let q = try decodeQuote(#"{"type":"quote","symbol":"AAPL","ts":"2026-11-26T14:30:00.123456Z","bid":"189.25","ask":"189.27","bid_size":300,"ask_size":"200"}"#)
        #expect(q.symbol.rawValue == "AAPL")
        #expect(q.bid == Price("189.25"))
        #expect(q.ask == Price("189.27"))
        #expect(q.bidSize == 300)
        #expect(q.askSize == 200)
        #expect(q.ts.rfc3339 == "2026-11-26T14:30:00.123456Z")
    }

    @Test func decodesATradePrintWithSpacesAndUnknownFields() throws {
        let t = try decodeTrade(#" { "type" : "trade", "v": 1, "symbol": "MSFT", "ts": "2026-11-26T09:30:00+01:00", "price": 410.5, "size": 7, "venue": {"mic": "XNAS"} } "#)
        #expect(t.price == Price("410.5"))
        #expect(t.size == 7)
        #expect(t.ts.rfc3339 == "2026-11-26T08:30:00.000000Z")
    }

    @Test(arguments: [
        ("", "empty payload"),
        ("not json", "not a JSON object"),
        (#"{"type":"quote","symbol":"AAPL""#, "invalid JSON: truncated"),
        (#"[1,2]"#, "not a JSON object"),
        (#"{"symbol":"AAPL"}"#, "missing field type"),
        (#"{"type":"trade","symbol":"AAPL","ts":"2026-11-26T14:30:00Z","price":"1","size":1}"#, "type \"trade\" does not belong on this topic (expected \"quote\")"),
        (#"{"type":"quote","ts":"2026-11-26T14:30:00Z","bid":"1"}"#, "missing field symbol"),
        (#"{"type":"quote","symbol":"AA PL","ts":"2026-11-26T14:30:00Z","bid":"1"}"#, "invalid symbol \"AA PL\""),
        (#"{"type":"quote","symbol":42,"ts":"2026-11-26T14:30:00Z","bid":"1"}"#, "symbol must be a string"),
        (#"{"type":"quote","symbol":"AAPL","bid":"1"}"#, "missing field ts"),
        (#"{"type":"quote","symbol":"AAPL","ts":"yesterday","bid":"1"}"#, "ts must be an RFC 3339 timestamp such as 2026-11-26T14:30:00.123456Z"),
        (#"{"type":"quote","symbol":"AAPL","ts":"2026-02-30T14:30:00Z","bid":"1"}"#, "ts must be an RFC 3339 timestamp such as 2026-11-26T14:30:00.123456Z"),
        (#"{"type":"quote","symbol":"AAPL","ts":"2026-11-26T14:30:00Z"}"#, "a quote needs bid, ask or both"),
        (#"{"type":"quote","symbol":"AAPL","ts":"2026-11-26T14:30:00Z","bid":"1.000000001"}"#, "bid is not a decimal with at most 8 places"),
        (#"{"type":"quote","symbol":"AAPL","ts":"2026-11-26T14:30:00Z","bid":"-1"}"#, "bid must be positive"),
        (#"{"type":"quote","symbol":"AAPL","ts":"2026-11-26T14:30:00Z","bid":true}"#, "bid must be a decimal string"),
        // Beyond the 64-bit fixed-point range: refused, never wrapped or trapped.
        (#"{"type":"quote","symbol":"AAPL","ts":"2026-11-26T14:30:00Z","bid":"92233720368.54775808"}"#, "bid is not a decimal with at most 8 places"),
        (#"{"type":"quote","symbol":"AAPL","ts":"2026-11-26T14:30:00Z","bid":1e300}"#, "bid is not a decimal with at most 8 places"),
        (#"{"type":"quote","symbol":"AAPL","ts":"2026-11-26T14:30:00Z","bid":"1","bid_size":1000000000001}"#, "bid_size 1000000000001 exceeds 1000000000000"),
        (#"{"type":"quote","symbol":"AAPL","ts":"2026-11-26T14:30:00Z","bid":"1","bid_size":-5}"#, "bid_size must not be negative"),
        (#"{"type":"quote","symbol":"AAPL","ts":"2026-11-26T14:30:00Z","bid":"1","bid_size":1.5}"#, "bid_size must be a whole number"),
        (#"{"type":"quote","v":2,"symbol":"AAPL","ts":"2026-11-26T14:30:00Z","bid":"1"}"#, "unsupported schema version 2 (this build reads 1)"),
        (#"{"type":"quote","type":"quote"}"#, "invalid JSON: duplicate key \"type\""),
        (#"{"type":"quote","symbol":"AAPL"} x"#, "invalid JSON: trailing data at byte 33"),
    ])
    func refusesWithAReason(payload: String, reason: String) {
        #expect(throws: MessageError(reason)) { try decodeQuote(payload) }
    }

    @Test func refusesHugePayloadsBeforeParsing() {
        let huge = #"{"type":"quote","pad":""# + String(repeating: "x", count: 70_000) + #""}"#
        #expect(throws: MessageError("payload of 70025 bytes exceeds 65536")) { try decodeQuote(huge) }
    }

    @Test func tradeSizeMustBePositive() {
        #expect(throws: MessageError("size must be positive")) {
            try decodeTrade(#"{"type":"trade","symbol":"X","ts":"2026-11-26T14:30:00Z","price":"1","size":0}"#)
        }
    }

    @Test func encodeThenDecodeIsIdentity() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let q = QuoteMessage(
                symbol: Symbol("SYM\(Int.random(in: 0..<50, using: &rng))")!,
                ts: Timestamp(microseconds: Int64.random(in: 0..<4_102_444_800_000_000, using: &rng)),
                bid: Price(units: Int64.random(in: 1..<100_000_000_000, using: &rng)),
                ask: Bool.random(using: &rng) ? nil : Price(units: Int64.random(in: 1..<100_000_000_000, using: &rng)),
                bidSize: Int64.random(in: 0..<1_000_000, using: &rng), askSize: Int64.random(in: 0..<1_000_000, using: &rng))
            let text = String(decoding: MessageEncoder.quote(q), as: UTF8.self)
            #expect(try decodeQuote(text) == q)
            let t = TradePrintMessage(symbol: q.symbol, ts: q.ts, price: q.bid!, size: Int64.random(in: 1..<1_000, using: &rng))
            #expect(try decodeTrade(String(decoding: MessageEncoder.tradePrint(t), as: UTF8.self)) == t)
        }
    }
}
