import Foundation
import HTTPTypes
import Hummingbird
import PipelineContracts

/// `GET/POST /portfolios`, `GET/PATCH /portfolios/{id}`, `GET /portfolios/{id}/positions`, `GET /portfolios/{id}/pnl`,
/// `PUT/DELETE /portfolios/{id}/positions/{symbol}`. Every field reason of a 422 comes at once.
struct PortfolioController: Sendable {
    let store: PortfolioStore
    let market: MarketReader
    let limits: APIConfiguration.Limits

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("portfolios", use: list)
        group.post("portfolios", use: create)
        group.get("portfolios/:id", use: show)
        group.patch("portfolios/:id", use: update)
        group.get("portfolios/:id/positions", use: positions)
        group.get("portfolios/:id/pnl", use: pnl)
        group.put("portfolios/:id/positions/:symbol", use: setPosition)
        group.delete("portfolios/:id/positions/:symbol", use: deletePosition)
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let cursor = try KeyCursor(RequestParameters(request: request, context: context), limits: limits,
                                   isValid: Self.isPortfolioID)
        let rows = try await store.portfolios(after: cursor.after, limit: cursor.limit + 1)
        let (page, next) = cursor.page(rows) { $0.portfolioId }
        return try JSONBody.response(PortfolioListBody(portfolios: page, nextCursor: next))
    }

    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try RequestParameters(request: request, context: context).identifier("id")
        guard let portfolio = try await store.portfolio(id) else { throw Problem.notFound("unknown portfolio \(id)") }
        return try JSONBody.response(portfolio)
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        var body = try await Self.body(request)
        body.refuseUnknown(allowed: ["portfolio_id", "name", "base_currency"])
        let id = body.string("portfolio_id", required: true)
        if let id, !Self.isPortfolioID(id) { body.fail("portfolio_id", "1-64 characters of A-Z a-z 0-9 . _ : -") }
        let name = Self.name(&body, required: true)
        let currency = Self.currency(&body)
        guard body.errors.isEmpty, let id, let name else { throw Problem.invalidRequest(body.errors) }
        guard let created = try await store.create(id: id, name: name, baseCurrency: currency ?? "USD") else {
            throw Problem.conflict("portfolio \(id) exists already")
        }
        return try JSONBody.response(created, status: .created, headers: [.location: "/api/v1/portfolios/\(Self.escaped(id))"])
    }

    @Sendable func update(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try RequestParameters(request: request, context: context).identifier("id")
        var body = try await Self.body(request)
        body.refuseUnknown(allowed: ["name", "base_currency"])
        let name = Self.name(&body, required: false)
        let currency = Self.currency(&body)
        if !body.has("name"), !body.has("base_currency") { body.fail("name", "give a new name, base_currency or both") }
        guard body.errors.isEmpty else { throw Problem.invalidRequest(body.errors) }
        guard let updated = try await store.update(id: id, name: name, baseCurrency: currency) else {
            throw Problem.notFound("unknown portfolio \(id)")
        }
        return try JSONBody.response(updated)
    }

    @Sendable func positions(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try RequestParameters(request: request, context: context).identifier("id")
        guard try await store.portfolio(id) != nil else { throw Problem.notFound("unknown portfolio \(id)") }
        return try JSONBody.response(PositionListBody(portfolioId: id, positions: try await store.positions(id)))
    }

    @Sendable func pnl(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        let id = try p.identifier("id")
        let range = try p.timeRange(maxDays: limits.maxRangeDays)
        let limit = try p.int("limit", default: min(100, limits.maxPageSize), range: 1...limits.maxPageSize)
        guard try await store.portfolio(id) != nil else { throw Problem.notFound("unknown portfolio \(id)") }
        return try JSONBody.response(try await store.pnl(id, range: range, limit: limit))
    }

    @Sendable func setPosition(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        let id = try p.identifier("id"), symbol = try p.symbol()
        var body = try await Self.body(request)
        body.refuseUnknown(allowed: ["quantity", "average_price"])
        let quantity = body.signedDecimal("quantity", required: true)
        let average = body.price("average_price", required: false)
        guard try await store.portfolio(id) != nil else { throw Problem.notFound("unknown portfolio \(id)") }
        if try await !market.instrumentExists(symbol) { body.fail("symbol", "unknown symbol \(symbol)") }
        guard body.errors.isEmpty, let quantity else { throw Problem.invalidRequest(body.errors) }
        guard let (result, position) = try await store.setPosition(
            portfolio: id, symbol: symbol, quantity: quantity, averagePrice: average?.decimalString)
        else { throw Problem.notFound("unknown portfolio \(id)") }
        return try JSONBody.response(position, status: result == .created ? .created : .ok)
    }

    @Sendable func deletePosition(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        let id = try p.identifier("id"), symbol = try p.symbol()
        guard try await store.deletePosition(portfolio: id, symbol: symbol) else {
            if try await store.portfolio(id) == nil { throw Problem.notFound("unknown portfolio \(id)") }
            throw Problem.notFound("portfolio \(id) holds no \(symbol)")
        }
        return Response(status: .noContent)
    }

    /// As `risk.portfolios` checks it: 1-64 characters of `A-Z a-z 0-9 . _ : -`.
    static func isPortfolioID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: ":") || c == UInt8(ascii: "-")
        }
    }

    private static func name(_ body: inout OrderRequest, required: Bool) -> String? {
        guard let name = body.string("name", required: required) else { return nil }
        // PostgreSQL text cannot hold NUL, and control characters have no place in a name.
        guard (1...200).contains(name.count), !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            body.fail("name", "1-200 characters without control characters")
            return nil
        }
        return name
    }

    private static func currency(_ body: inout OrderRequest) -> String? {
        guard let code = body.string("base_currency", required: false) else { return nil }
        guard code.utf8.count == 3, code.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
            body.fail("base_currency", "an ISO 4217 code of three capital letters, e.g. USD")
            return nil
        }
        return code
    }

    private static func escaped(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id
    }

    private static func body(_ request: Request) async throws -> OrderRequest {
        try OrderRequest(body: Data(buffer: try await request.body.collect(upTo: 64 * 1024)))
    }
}
