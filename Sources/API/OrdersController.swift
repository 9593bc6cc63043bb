import Hummingbird

/// `GET /orders/{id}`: status, fills and average price of an order the processor has seen;
/// `GET /orders`: the blotter.
struct OrdersController: Sendable {
    let reader: OrderReader
    let limits: APIConfiguration.Limits

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("orders", use: list)
        group.get("orders/:id", use: status)
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = try OrderBlotterQuery(RequestParameters(request: request, context: context), limits: limits)
        return try JSONBody.response(try await reader.list(query))
    }

    @Sendable func status(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        let id = try p.identifier("id")
        let symbol = p.query("symbol")
        if let symbol, !RequestParameters.isSymbol(symbol) {
            throw Problem.badParameter("symbol", "a symbol is 1-40 characters of A-Z a-z 0-9 . _ - : /")
        }
        guard let order = try await reader.status(id, symbol: symbol) else {
            throw Problem.notFound("unknown order \(id)")
        }
        return try JSONBody.response(order)
    }
}
