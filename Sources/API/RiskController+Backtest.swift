import Hummingbird

/// `GET /risk/portfolios/{id}/backtest?limit=`: the VaR backtest on the stored runs
/// (`analytics.var_exceptions`, docs/sql.md): per method and confidence, how many as-of days were
/// tested, how many losses exceeded the 1-day VaR against how many the confidence expects, and the
/// days themselves, newest first.
extension RiskController {
    struct BacktestSummary: Codable, Sendable {
        var method: String
        var confidence: String
        var days: Int64
        var exceptions: Int64
        /// days × (1 − confidence): what a correct VaR would see.
        var expectedExceptions: Double
    }

    struct BacktestDay: Codable, Sendable {
        var method: String
        var confidence: String
        var asOf: String
        var nextAsOf: String
        var `var`: String
        var pnl: String
        var exception: Bool
    }

    struct BacktestBody: Codable, Sendable {
        var portfolioId: String
        var summary: [BacktestSummary]
        var days: [BacktestDay]
    }

    @Sendable func backtest(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        let id = try p.identifier("portfolioId")
        let limit = try p.int("limit", default: min(250, limits.maxPageSize), range: 1...limits.maxPageSize)
        guard try await reader.portfolioExists(id) else { throw Problem.notFound("unknown portfolio \(id)") }
        let database = reader.database
        let summary = try await database.rows("""
            SELECT method, trim_scale(confidence)::text, count(*), count(*) FILTER (WHERE exception),
                   count(*) * (1 - confidence::float8)
            FROM analytics.var_exceptions WHERE portfolio_id = \(id)
            GROUP BY method, confidence ORDER BY method, confidence
            """) { row in
            let (method, confidence, days, exceptions, expected) = try row.decode((String, String, Int64, Int64, Double).self)
            return BacktestSummary(method: method, confidence: confidence, days: days, exceptions: exceptions, expectedExceptions: expected)
        }
        let days = try await database.rows("""
            SELECT method, trim_scale(confidence)::text, as_of::text, next_as_of::text, trim_scale(var)::text,
                   trim_scale(pnl)::text, coalesce(exception, false)
            FROM analytics.var_exceptions WHERE portfolio_id = \(id)
            ORDER BY as_of DESC, method, confidence LIMIT \(limit)
            """) { row in
            let (method, confidence, asOf, next, v, pnl, exception) = try row.decode((String, String, String, String, String, String, Bool).self)
            return BacktestDay(method: method, confidence: confidence, asOf: asOf, nextAsOf: next, var: v, pnl: pnl, exception: exception)
        }
        return try JSONBody.response(BacktestBody(portfolioId: id, summary: summary, days: days))
    }
}
