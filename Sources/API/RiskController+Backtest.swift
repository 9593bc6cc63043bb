import Hummingbird
import Risk

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
        /// Kupiec's proportion of failures (is the exception rate the confidence's?), Christoffersen's
        /// independence (do exceptions cluster?) and both together: P(χ²) of each likelihood ratio,
        /// from the `Risk` core's `VaRBacktest`. Small values reject the VaR model. Absent below 2 days.
        var kupiecPValue: Double?
        var independencePValue: Double?
        var conditionalCoveragePValue: Double?
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
            SELECT method, trim_scale(confidence)::text, confidence::float8, array_agg(coalesce(exception, false) ORDER BY as_of)
            FROM analytics.var_exceptions WHERE portfolio_id = \(id)
            GROUP BY method, confidence ORDER BY method, confidence
            """) { row in
            let (method, confidence, level, exceptions) = try row.decode((String, String, Double, [Bool]).self)
            let tests = try? VaRBacktest.evaluate(exceptions: exceptions, confidence: level)
            return BacktestSummary(
                method: method, confidence: confidence, days: Int64(exceptions.count), exceptions: Int64(exceptions.filter { $0 }.count),
                expectedExceptions: Double(exceptions.count) * (1 - level), kupiecPValue: tests?.kupiec.pValue,
                independencePValue: tests?.christoffersenIndependence.pValue, conditionalCoveragePValue: tests?.conditionalCoverage.pValue)
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
