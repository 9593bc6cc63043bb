import MarketCore

/// Decodes the JSON wire format of docs/messages.md into typed messages, with a precise reason
/// for every refusal. Pure and allocation-light: the ingest path decodes every message here.
public enum MessageDecoder {
    /// The schema version this build understands; a message may omit `v` (meaning 1).
    public static let schemaVersion = 1
    /// Larger payloads are refused before parsing.
    public static let maxPayloadBytes = 64 * 1024

    public static func quote(_ bytes: UnsafeRawBufferPointer) throws(MessageError) -> QuoteMessage {
        let object = try parse(bytes, expectedType: "quote")
        let bid = try optionalPrice(object, "bid")
        let ask = try optionalPrice(object, "ask")
        if bid == nil && ask == nil { throw MessageError("a quote needs bid, ask or both") }
        let bidSize = try optionalSize(object, "bid_size") ?? 0
        let askSize = try optionalSize(object, "ask_size") ?? 0
        return QuoteMessage(
            symbol: try symbol(object), ts: try timestamp(object),
            bid: bid, ask: ask, bidSize: bidSize, askSize: askSize)
    }

    public static func tradePrint(_ bytes: UnsafeRawBufferPointer) throws(MessageError) -> TradePrintMessage {
        let object = try parse(bytes, expectedType: "trade")
        guard let price = try optionalPrice(object, "price") else { throw MessageError("missing field price") }
        guard let size = try optionalSize(object, "size") else { throw MessageError("missing field size") }
        if size == 0 { throw MessageError("size must be positive") }
        return TradePrintMessage(symbol: try symbol(object), ts: try timestamp(object), price: price, size: size)
    }

    // MARK: fields

    static func parse(_ bytes: UnsafeRawBufferPointer, expectedType: StaticString) throws(MessageError) -> FlatJSONObject {
        if bytes.count > maxPayloadBytes { throw MessageError("payload of \(bytes.count) bytes exceeds \(maxPayloadBytes)") }
        if bytes.isEmpty { throw MessageError("empty payload") }
        let object: FlatJSONObject
        do { object = try FlatJSONObject(bytes) } catch { throw MessageError(error.description) }
        guard let type = object.field("type") else { throw MessageError("missing field type") }
        guard type.kind == .string else { throw MessageError("type must be a string") }
        let raw = object.slice(type)
        if raw.count != expectedType.utf8CodeUnitCount
            || !raw.elementsEqual(UnsafeRawBufferPointer(start: expectedType.utf8Start, count: expectedType.utf8CodeUnitCount)) {
            throw MessageError("type \"\(object.string(type))\" does not belong on this topic (expected \"\(expectedType)\")")
        }
        if let version = object.field("v") {
            guard version.kind == .number, let v = Int(String(decoding: object.slice(version), as: UTF8.self)) else {
                throw MessageError("v must be an integer schema version")
            }
            if v != schemaVersion { throw MessageError("unsupported schema version \(v) (this build reads \(schemaVersion))") }
        }
        return object
    }

    static func symbol(_ object: FlatJSONObject) throws(MessageError) -> Symbol {
        guard let field = object.field("symbol") else { throw MessageError("missing field symbol") }
        guard field.kind == .string else { throw MessageError("symbol must be a string") }
        guard let symbol = Symbol(object.string(field)) else {
            throw MessageError("invalid symbol \"\(object.string(field).prefix(60))\"")
        }
        return symbol
    }

    static func timestamp(_ object: FlatJSONObject) throws(MessageError) -> Timestamp {
        guard let field = object.field("ts") else { throw MessageError("missing field ts") }
        guard field.kind == .string, !field.escaped, let ts = Timestamp.parse(object.slice(field)) else {
            throw MessageError("ts must be an RFC 3339 timestamp such as 2026-11-26T14:30:00.123456Z")
        }
        guard ts.isStorable else {
            throw MessageError("ts \(ts) is outside 1970-01-01T00:00:00Z to 2200-01-01T00:00:00Z")
        }
        return ts
    }

    /// Prices are decimal strings; a bare JSON number is read from its literal text, so it is exact too.
    static func optionalPrice(_ object: FlatJSONObject, _ name: StaticString) throws(MessageError) -> Price? {
        guard let field = object.field(name), field.kind != .null else { return nil }
        guard field.kind == .string || field.kind == .number, !field.escaped else {
            throw MessageError("\(name) must be a decimal string")
        }
        guard let units = FixedPointDecimal.parse(
            String(decoding: object.slice(field), as: UTF8.self), decimals: Price.decimals)
        else { throw MessageError("\(name) is not a decimal with at most 8 places") }
        if units <= 0 { throw MessageError("\(name) must be positive") }
        return Price(units: units)
    }

    static func optionalSize(_ object: FlatJSONObject, _ name: StaticString) throws(MessageError) -> Int64? {
        guard let field = object.field(name), field.kind != .null else { return nil }
        guard field.kind == .number || field.kind == .string,
              let value = Int64(String(decoding: object.slice(field), as: UTF8.self))
        else { throw MessageError("\(name) must be a whole number") }
        if value < 0 { throw MessageError("\(name) must not be negative") }
        if value > maxSize { throw MessageError("\(name) \(value) exceeds \(maxSize)") }
        return value
    }

    /// The largest size or quantity any message may carry (a trillion): far above any real print or
    /// order, far below what would overflow a notional or skew an average (docs/messages.md).
    public static let maxSize: Int64 = 1_000_000_000_000
}
