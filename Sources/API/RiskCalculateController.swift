import Foundation
import Hummingbird
import PipelineContracts
import PostgresNIO

/// `POST /risk/portfolios/{id}/calculate`: asks the risk engine to value the portfolio now (the
/// `risk_positions` notice it listens to, as after a fill) and answers with the run it stores, as
/// `GET /risk/metrics/{id}` shows it; 504 when none is stored within `timeout` (the engine is not
/// running, or cannot value the portfolio). The API stores nothing itself: risk runs have one
/// writer, the engine.
struct RiskCalculateController: Sendable {
    let reader: RiskReader
    let database: ReaderDatabase
    let gate: ConcurrencyGate
    let timeout: Duration

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("risk/portfolios/:portfolioId/calculate", use: calculate)
    }

    @Sendable func calculate(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try RequestParameters(request: request, context: context).identifier("portfolioId")
        guard try await reader.portfolioExists(id) else { throw Problem.notFound("unknown portfolio \(id)") }
        let run = try await gate.run(client: context.clientID) { try await requestRun(of: id) }
        guard run != nil else {
            throw Problem(.gatewayTimeout, type: "urn:quant:problem:risk-engine-timeout", title: "No risk run",
                          detail: "the risk engine stored no run of \(id) within \(timeout): is quant risk-engine running, and can it value the portfolio (GET /risk/metrics/\(id), its log)?")
        }
        return try JSONBody.response(try await reader.latest(id))
    }

    /// The id of the first run of `id` stored after the request, or nil after `timeout`. A run
    /// under way when the request arrives may be that one.
    func requestRun(of id: String) async throws -> String? {
        let timeout = timeout
        return try await database.client.withOpenConnection { connection in
            try await connection.listen(on: RiskRunNotice.channel.name) { notices in
                try await connection.query(
                    "SELECT pg_notify(\(PositionsNotice.channel.name), \(PositionsNotice(portfolioId: id).payload))", logger: database.logger)
                return try await withThrowingTaskGroup(of: String?.self) { group in
                    group.addTask {
                        for try await notice in notices {
                            if let run = RiskRunNotice.read(notice.payload), run.portfolioId == id { return run.runId }
                        }
                        return nil
                    }
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        return nil
                    }
                    defer { group.cancelAll() }
                    return try await group.next() ?? nil
                }
            }
        }
    }
}
