import Hummingbird

/// `GET /orders/{id}`: status, fills and average price of an order the processor has seen.
struct OrdersController: Sendable {
    let reader: OrderReader

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("orders/:id", use: status)
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
