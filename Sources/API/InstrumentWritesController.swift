import Foundation
import Hummingbird
import MarketCore
import PostgresNIO
import Store

/// `POST /instruments`: adds an instrument to `market.instruments` (write scope). Its statement
/// trigger announces the change (NOTIFY `instruments`), so the processor takes the new symbol
/// without a restart. Every field reason of a 422 comes at once; an existing symbol is a 409.
struct InstrumentWritesController: Sendable {
    let market: MarketReader
    let database: ReaderDatabase

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("instruments", use: create)
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        var body = try OrderRequest(body: Data(buffer: try await request.body.collect(upTo: 64 * 1024)))
        body.refuseUnknown(allowed: [
            "symbol", "name", "kind", "currency", "tick_size", "lot_size", "multiplier", "underlying", "strike", "expiry",
            "option_right", "active",
        ])
        let symbol = body.string("symbol", required: true)
        if let symbol, !RequestParameters.isSymbol(symbol) { body.fail("symbol", "1-40 characters of A-Z a-z 0-9 . _ - : /") }
        let name = body.string("name", required: false)
        if let name, !((1...200).contains(name.count) && !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })) {
            body.fail("name", "1-200 characters without control characters")
        }
        let kind = body.enumeration("kind", Instrument.Kind.self, required: true)
        let currency = body.string("currency", required: false)
        if let currency, !(currency.utf8.count == 3 && currency.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A })) {
            body.fail("currency", "an ISO 4217 code of three capital letters, e.g. USD")
        }
        let tick = body.price("tick_size", required: true)
        let lot = body.quantity("lot_size", required: false)
        let multiplier = body.price("multiplier", required: false)
        let underlying = body.string("underlying", required: false)
        let strike = body.price("strike", required: kind == .option)
        let expiry = body.string("expiry", required: kind == .option)
        let right = body.enumeration("option_right", Instrument.OptionRight.self, required: kind == .option)
        let active = body.bool("active") ?? true
        if let expiry, !Self.isDate(expiry) { body.fail("expiry", "a date, YYYY-MM-DD") }
        if kind != .option {
            for field in ["strike", "option_right"] where body.has(field) { body.fail(field, "only options have one") }
        }
        if kind == .option, underlying == nil { body.fail("underlying", "an option needs its underlying") }
        if let underlying {
            if !RequestParameters.isSymbol(underlying) { body.fail("underlying", "1-40 characters of A-Z a-z 0-9 . _ - : /") }
            else if try await !market.instrumentExists(underlying) { body.fail("underlying", "unknown instrument \(underlying)") }
        }
        guard body.errors.isEmpty, let symbol, let kind, let tick else { throw Problem.invalidRequest(body.errors) }
        // No ON CONFLICT: that needs SELECT on the table, and the API's role only inserts into it.
        do {
            _ = try await database.rows("""
            INSERT INTO market.instruments (symbol, name, kind, currency, tick_size, lot_size, multiplier, underlying, strike, expiry,
                                            option_right, active)
            VALUES (\(symbol), \(name), \(kind.rawValue), \(currency ?? "USD"), \(tick.decimalString)::numeric, \(lot?.value ?? 1),
                    \(multiplier?.decimalString ?? "1")::numeric, \(underlying), \(strike?.decimalString)::numeric, \(expiry)::date,
                    \(right?.rawValue), \(active))
            """) { _ in () }
        } catch where PostgresErrorText.sqlState(error) == "23505" {
            throw Problem.conflict("instrument \(symbol) exists already")
        }
        guard let created = try await market.instruments(after: nil, limit: 1, only: symbol).first else {
            throw Problem.notFound("instrument \(symbol) vanished")
        }
        return try JSONBody.response(created, status: .created)
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        guard text.utf8.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return false }
        return (1970...2200).contains(y) && (1...12).contains(m) && (1...31).contains(d)
    }
}
