import Hummingbird

/// `GET /risk/metrics/{portfolioId}[?history=true&from&to&limit]`: the latest VaR, ES and Greeks;
/// `GET /risk/portfolios/{portfolioId}/backtest` (RiskController+Backtest.swift).
struct RiskController: Sendable {
    let reader: RiskReader
    let limits: APIConfiguration.Limits

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("risk/metrics/:portfolioId", use: metrics)
        group.get("risk/portfolios/:portfolioId/backtest", use: backtest)
    }

    @Sendable func metrics(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        let id = try p.identifier("portfolioId")
        let withHistory = try p.bool("history", default: false)
        let range = try p.timeRange(maxDays: limits.maxRangeDays)
        let limit = try p.int("limit", default: min(100, limits.maxPageSize), range: 1...limits.maxPageSize)
        guard try await reader.portfolioExists(id) else { throw Problem.notFound("unknown portfolio \(id)") }
        var body = try await reader.latest(id)
        if withHistory { body.history = try await reader.history(id, range: range, limit: limit) }
        return try JSONBody.response(body)
    }
}
