import Foundation
import HTTPTypes
import Hummingbird
import MarketCore
import NIOCore
import OrderBook

/// `POST /orders`, `DELETE /orders/{id}?symbol=`, `PATCH /orders/{id}`, `POST /orders/mass-cancel`:
/// validate, publish a `new`, `cancel`, `modify` or `mass_cancel` command to `orders.commands` keyed
/// by symbol, answer 202. The processor
/// decides what happens; `GET /orders/{id}` shows it. `Idempotency-Key` makes retries safe.
struct OrderWritesController: Sendable {
    struct AcceptedBody: Codable, Sendable {
        var orderId: String
        var symbol: String
        /// `new`, `cancel` or `modify`: the command published.
        var command: String
        var status = "accepted_for_processing"
    }

    /// The answer to a mass cancel: the books a `mass_cancel` command went to.
    struct MassCancelBody: Codable, Sendable {
        var command = "mass_cancel"
        var symbols: [String]
        var account: String?
        var status = "accepted_for_processing"
    }

    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    let market: MarketReader
    let orders: OrderReader
    let idempotency: IdempotencyStore
    let publisher: (any OrderCommandPublisher)?
    let database: ReaderDatabase

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("orders", use: create)
        group.delete("orders/:id", use: cancel)
        group.patch("orders/:id", use: modify)
        group.post("orders/mass-cancel", use: massCancel)
    }

    /// `POST /orders/mass-cancel {"symbol"?, "account"?}`: a `mass_cancel` command for the symbol's
    /// book, or, with only an account, for every book where that account has open orders stored.
    @Sendable func massCancel(_ request: Request, context: APIRequestContext) async throws -> Response {
        var body = try await Self.body(request, context: context)
        body.refuseUnknown(allowed: ["symbol", "account"])
        let symbol = body.has("symbol") ? Self.symbol(&body) : nil
        var account = body.identifier("account")
        let trader = try Self.trader(context)
        if account == nil, let only = trader.onlyAccount { account = only }
        if symbol == nil, account == nil, !body.has("symbol") { body.fail("symbol", "give a symbol, an account or both") }
        if let symbol, try await !market.instrumentExists(symbol) { body.fail("symbol", "unknown symbol \(symbol)") }
        guard body.errors.isEmpty else { throw Problem.invalidOrder(body.errors) }
        // Everyone's orders in a book need a key bound to every account.
        guard trader.mayTrade(for: account) else { throw Problem.accountForbidden(key: trader.name, account: account) }
        guard let publisher else { throw Problem.unavailable("this API was started without Kafka; orders cannot be sent") }
        let symbols = if let symbol { [symbol] } else { try await orders.symbolsWithOpenOrders(of: account!) }
        do {
            for symbol in symbols {
                let command = OrderCommandMessage(type: .massCancel, symbol: symbol, account: account)
                try await database.withDeadline { try await publisher.publish(command) }
            }
        } catch {
            throw Problem.unavailable("Kafka did not accept the command")
        }
        return try JSONBody.response(MassCancelBody(symbols: symbols, account: account), status: .accepted)
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let key = try Self.key(request)
        var body = try await Self.body(request, context: context)
        body.refuseUnknown(allowed: [
            "symbol", "side", "order_type", "price", "quantity", "time_in_force", "post_only", "account", "order_id",
            "stop_price", "trail_amount", "trail_percent",
        ])
        let symbol = Self.symbol(&body)
        let side = body.enumeration("side", Side.self, required: true)
        let type = body.enumeration("order_type", OrderType.self, required: true)
        let price = body.price("price", required: type?.hasLimitPrice ?? false)
        if let type, !type.hasLimitPrice, body.has("price") { body.fail("price", "\(type.rawValue) orders take no price") }
        let trigger = Self.stopTerms(type, &body)
        let quantity = body.quantity("quantity", required: true)
        let tif = body.enumeration("time_in_force", TimeInForce.self, required: false) ?? .gtc
        let postOnly = body.bool("post_only")
        if postOnly == true, let type, type != .limit { body.fail("post_only", "only limit orders can be post-only") }
        var account = body.identifier("account")
        let clientID = body.identifier("order_id")
        if let symbol { try await checkTerms(symbol, price: price, stopPrice: trigger.stopPrice, quantity: quantity, into: &body) }
        guard body.errors.isEmpty, let symbol, let side, let type, let quantity else { throw Problem.invalidOrder(body.errors) }
        let trader = try Self.trader(context)
        if account == nil, let only = trader.onlyAccount { account = only }
        guard trader.mayTrade(for: account) else { throw Problem.accountForbidden(key: trader.name, account: account) }
        var command = OrderCommandMessage(
            type: .new, orderID: clientID, symbol: symbol, side: side, orderType: type, price: price, quantity: quantity,
            timeInForce: tif, postOnly: postOnly, account: account, stopPrice: trigger.stopPrice,
            trailAmount: trigger.trailAmount, trailPercent: trigger.trailPercent)
        let canonical = try Self.canonical(request, command)
        command.orderID = clientID ?? UUID().uuidString.lowercased()
        return try await submit(command, canonical: canonical, key: key, request: request, context: context)
    }

    @Sendable func cancel(_ request: Request, context: APIRequestContext) async throws -> Response {
        let key = try Self.key(request)
        let p = RequestParameters(request: request, context: context)
        let id = try p.identifier("id")
        guard let symbol = p.query("symbol") else { throw Problem.badParameter("symbol", "required: the order's symbol") }
        guard RequestParameters.isSymbol(symbol) else {
            throw Problem.badParameter("symbol", "a symbol is 1-40 characters of A-Z a-z 0-9 . _ - : /")
        }
        guard try await market.instrumentExists(symbol) else { throw Problem.notFound("unknown symbol \(symbol)") }
        try await checkOwner(of: id, symbol: symbol, context)
        let command = OrderCommandMessage(type: .cancel, orderID: id, symbol: symbol)
        return try await submit(command, canonical: try Self.canonical(request, command), key: key, request: request, context: context)
    }

    @Sendable func modify(_ request: Request, context: APIRequestContext) async throws -> Response {
        let key = try Self.key(request)
        let id = try RequestParameters(request: request, context: context).identifier("id")
        var body = try await Self.body(request, context: context)
        body.refuseUnknown(allowed: ["symbol", "price", "quantity", "stop_price"])
        let symbol = Self.symbol(&body)
        let price = body.price("price", required: false)
        let quantity = body.quantity("quantity", required: false)
        let stopPrice = body.price("stop_price", required: false)
        if !body.has("price"), !body.has("quantity"), !body.has("stop_price") {
            body.fail("price", "give a new price, quantity or stop_price")
        }
        if let symbol { try await checkTerms(symbol, price: price, stopPrice: stopPrice, quantity: quantity, into: &body) }
        guard body.errors.isEmpty, let symbol else { throw Problem.invalidOrder(body.errors) }
        try await checkOwner(of: id, symbol: symbol, context)
        let command = OrderCommandMessage(
            type: .modify, orderID: id, symbol: symbol, price: price, quantity: quantity, stopPrice: stopPrice)
        return try await submit(command, canonical: try Self.canonical(request, command), key: key, request: request, context: context)
    }

    /// The key of a write (`AccessMiddleware` lets no write through without one).
    private static func trader(_ context: APIRequestContext) throws -> APIKeyIdentity {
        guard let key = context.apiKey else {
            throw Problem(.unauthorized, type: "urn:quant:problem:unauthorized", title: "Unauthorized",
                          detail: "this request needs an API key with scope write")
        }
        return key
    }

    /// A key bound to accounts cancels or modifies only their orders, so the order must be stored
    /// (it is within milliseconds of being accepted); a key bound to every account needs no lookup.
    private func checkOwner(of id: String, symbol: String, _ context: APIRequestContext) async throws {
        let trader = try Self.trader(context)
        guard !trader.tradesForEveryAccount else { return }
        guard let account = try await orders.account(id, symbol: symbol) else {
            throw Problem.notFound("no order \(id) in \(symbol)'s book (a key bound to accounts acts only on stored orders)")
        }
        guard trader.mayTrade(for: account) else { throw Problem.accountForbidden(key: trader.name, account: account) }
    }

    /// Publishes `command` once per idempotency key and answers 202 (or the stored answer).
    private func submit(
        _ command: OrderCommandMessage, canonical: String, key: String?, request: Request, context: APIRequestContext
    ) async throws -> Response {
        guard let publisher else { throw Problem.unavailable("this API was started without Kafka; orders cannot be sent") }
        let owner = context.apiKey?.id ?? 0
        if let key {
            switch try await idempotency.claim(key: key, owner: owner, canonical: canonical) {
            case .claimed: break
            case .replay(let status, let body):
                return Response(status: .init(code: status), headers: [.contentType: "application/json", Self.idempotencyKey: key],
                                body: .init(byteBuffer: ByteBuffer(string: body)))
            case .conflict:
                throw Problem(.conflict, type: "urn:quant:problem:idempotency-conflict", title: "Idempotency key reused",
                              detail: "Idempotency-Key \(key) was used for a different request")
            case .inProgress:
                throw Problem(.conflict, type: "urn:quant:problem:idempotency-in-progress", title: "Request in progress",
                              detail: "a request with Idempotency-Key \(key) is still being processed; retry shortly")
            }
        }
        do {
            try await database.withDeadline { try await publisher.publish(command) }
        } catch {
            if let key { try? await idempotency.release(key: key, owner: owner) }
            throw Problem.unavailable("Kafka did not accept the command")
        }
        let accepted = AcceptedBody(orderId: command.orderID ?? "", symbol: command.symbol ?? "", command: command.type.rawValue)
        let buffer = try JSONBody.buffer(accepted)
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[.location] = "/api/v1/orders/\(accepted.orderId.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? accepted.orderId)?symbol=\(accepted.symbol.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? accepted.symbol)"
        if let key {
            headers[Self.idempotencyKey] = key
            try await idempotency.complete(key: key, owner: owner, status: 202, body: String(buffer: buffer))
        }
        return Response(status: .accepted, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// The instrument exists and trades; the price is on its tick grid; the quantity a multiple of its lot.
    private func checkTerms(
        _ symbol: String, price: Price?, stopPrice: Price? = nil, quantity: Quantity?, into body: inout OrderRequest
    ) async throws {
        guard let terms = try await market.tradingTerms(symbol) else { body.fail("symbol", "unknown symbol \(symbol)"); return }
        if !terms.active { body.fail("symbol", "\(symbol) is not active") }
        if let price, let tick = Price(terms.tickSize), tick.units > 0, price.units % tick.units != 0 {
            body.fail("price", "must be a multiple of the tick size \(terms.tickSize)")
        }
        if let stopPrice, let tick = Price(terms.tickSize), tick.units > 0, stopPrice.units % tick.units != 0 {
            body.fail("stop_price", "must be a multiple of the tick size \(terms.tickSize)")
        }
        if let quantity, terms.lotSize > 0, quantity.value % terms.lotSize != 0 {
            body.fail("quantity", "must be a multiple of the lot size \(terms.lotSize)")
        }
    }

    /// The trigger fields: `stop_price` for stop and stop_limit, exactly one of `trail_amount` and
    /// `trail_percent` (below 100) for trailing_stop, none of them for the others.
    private static func stopTerms(_ type: OrderType?, _ body: inout OrderRequest)
        -> (stopPrice: Price?, trailAmount: Price?, trailPercent: Price?)
    {
        let fixed = type == .stop || type == .stopLimit
        let trailing = type == .trailingStop
        let stopPrice = body.price("stop_price", required: fixed)
        let amount = body.price("trail_amount", required: false)
        let percent = body.price("trail_percent", required: false)
        if let type, !fixed, body.has("stop_price") { body.fail("stop_price", "\(type.rawValue) orders take no stop_price") }
        for name in ["trail_amount", "trail_percent"] where !trailing && body.has(name) {
            body.fail(name, "only trailing_stop orders take a trail")
        }
        if trailing && body.has("trail_amount") == body.has("trail_percent") {
            body.fail("trail_amount", "give exactly one of trail_amount and trail_percent")
        }
        if let percent, percent.units >= 100 * Price.scale { body.fail("trail_percent", "must be below 100") }
        return (stopPrice, amount, percent)
    }

    private static func symbol(_ body: inout OrderRequest) -> String? {
        guard let symbol = body.string("symbol", required: true) else { return nil }
        guard RequestParameters.isSymbol(symbol) else {
            body.fail("symbol", "1-40 characters of A-Z a-z 0-9 . _ - : /")
            return nil
        }
        return symbol
    }

    private static func key(_ request: Request) throws -> String? {
        guard let key = request.headers[idempotencyKey] else { return nil }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw Problem.badParameter("Idempotency-Key", "1-255 printable ASCII characters without spaces")
        }
        return key
    }

    private static func body(_ request: Request, context: APIRequestContext) async throws -> OrderRequest {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        return try OrderRequest(body: Data(buffer: buffer))
    }

    /// What the request asked, independent of JSON spelling: method, path and the command's fields.
    private static func canonical(_ request: Request, _ command: OrderCommandMessage) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return "\(request.method.rawValue) \(request.uri.path) " + String(decoding: try encoder.encode(command), as: UTF8.self)
    }
}
