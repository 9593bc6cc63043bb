import API
import Foundation
import HummingbirdTesting
import PipelineContracts
import PortfolioValuation
import PostgresNIO
import RiskEngine
import Testing

/// Issue 18: `POST /risk/portfolios/{id}/calculate` has the running risk engine value the portfolio
/// and answers with the run it stored; 504 when no run comes.
@Suite struct RiskCalculateEndpointTests {
    @Test func answersWithTheEnginesNewRunOr504() async throws {
        // Generous for a loaded debug build: the engine answers in well under a second otherwise.
        var configuration = APIConfiguration(limits: APITest.limits)
        configuration.riskCalculateTimeout = .seconds(60)
        try await APITest.withAPI(configuration: configuration) { client, pg, logger in
            // Ninety days of AAA closes (the seed has today's prints) and a position for alpha.
            for statement: PostgresQuery in [
                "SELECT ops.ensure_partitions('market.trades', current_date - 95, current_date)",
                """
                INSERT INTO market.trades (ts, symbol, price, size)
                SELECT d + time '20:00', 'AAA', round((10 + sin(extract(day FROM d)) / 2)::numeric, 2), 100
                FROM generate_series(current_date - 90, current_date - 1, interval '1 day') AS d
                """,
                "INSERT INTO risk.positions (portfolio_id, symbol, quantity) VALUES ('alpha', 'AAA', 100)",
                // The seeded run is dated today 10:00: before that hour it lies in the future and
                // would stay alpha's latest run whatever the engine stores.
                "DELETE FROM risk.risk_metrics WHERE portfolio_id = 'alpha'",
                "DELETE FROM risk.portfolio_greeks WHERE portfolio_id = 'alpha'",
            ] { _ = try await pg.query(statement, logger: logger) }
            let engine = RiskEngineService(
                client: pg, configuration: RiskEngineConfiguration(methods: [.historical], monteCarloPaths: 1_000, interval: .seconds(3600)),
                logger: logger)
            let running = Task { try await engine.run() }
            defer { running.cancel() }
            // The engine's first cycle stores a run; calculate must answer with a later one.
            var first: String?
            for _ in 0..<300 where first == nil {
                first = try APITest.decode(RiskBody.self, try await client.get("/api/v1/risk/metrics/alpha")).runId
                if first == "00000000-0000-0000-0000-000000000002" { first = nil }  // the seeded run
                if first == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            let initial = try #require(first, "the engine's first cycle")
            let answer = try await client.send(.post, "/api/v1/risk/portfolios/alpha/calculate")
            #expect(answer.status == .ok)
            let run = try APITest.decode(RiskBody.self, answer)
            #expect(run.runId != nil && run.runId != initial)
            #expect(Set(run.metrics.map(\.method)) == ["historical"])
            #expect(run.portfolioId == "alpha" && !run.metrics.isEmpty)

            try APITest.expectProblem(try await client.send(.post, "/api/v1/risk/portfolios/nope/calculate"), .notFound)
            try APITest.expectProblem(try await client.send(.post, "/api/v1/risk/portfolios/alpha/calculate", apiKey: APITest.readerKey), .forbidden)
        }
        // No engine stores a run: the API says so after its timeout.
        var impatient = APIConfiguration(limits: APITest.limits)
        impatient.riskCalculateTimeout = .seconds(1)
        try await APITest.withAPI(configuration: impatient) { client, _, _ in
            let timedOut = try APITest.expectProblem(try await client.send(.post, "/api/v1/risk/portfolios/alpha/calculate"), .gatewayTimeout)
            #expect(timedOut.type == "urn:quant:problem:risk-engine-timeout")
        }
    }
}
