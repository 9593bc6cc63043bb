import Foundation
import PostgresNIO
import Risk

/// Reads the stored standard stress tests of a portfolio's latest run from `api.stress_latest`
/// and `api.stress_positions_latest`.
struct StressResultReader: Sendable {
    struct StoredBody: Codable, Sendable {
        var portfolioId: String
        /// Absent (with empty `results`) until the risk engine has stored a run with stress tests.
        var runId: String?
        var computedAt: String?
        var results: [StoredResult]
    }

    struct StoredResult: Codable, Sendable {
        var scenario: String
        var description: String?
        var shocks: [StressShock]
        var baseValue: Double
        var stressedValue: Double
        var pnl: Double
        var positions: [StressTest.PositionResult]
    }

    let database: ReaderDatabase

    func portfolioExists(_ id: String) async throws -> Bool {
        try await database.row("SELECT 1 FROM api.portfolios WHERE portfolio_id = \(id)") { _ in true } ?? false
    }

    func latest(_ id: String) async throws -> StoredBody {
        struct Row: Sendable { var run: String, computed: String, result: StoredResult }
        let rows = try await database.rows("""
            SELECT s.run_id::text, api.rfc3339(s.computed_at), s.scenario, s.description, s.shocks::text,
                   s.base_value, s.stressed_value, s.pnl,
                   coalesce((SELECT json_agg(json_build_object('id', p.position_id, 'underlying', p.underlying,
                                  'base_value', p.base_value, 'stressed_value', p.stressed_value, 'pnl', p.pnl)
                                  ORDER BY p.position_id)
                             FROM api.stress_positions_latest p
                             WHERE p.run_id = s.run_id AND p.scenario = s.scenario), '[]')::text
            FROM api.stress_latest s WHERE s.portfolio_id = \(id)
            ORDER BY s.scenario
            """) { row in
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let (run, computed, scenario, description, shocks, base, stressed, pnl, positions) =
                try row.decode((String, String, String, String?, String, Double, Double, Double, String).self)
            return Row(run: run, computed: computed, result: StoredResult(
                scenario: scenario, description: description,
                shocks: try decoder.decode([StressShock].self, from: Data(shocks.utf8)), baseValue: base, stressedValue: stressed,
                pnl: pnl, positions: try decoder.decode([StressTest.PositionResult].self, from: Data(positions.utf8))))
        }
        return StoredBody(portfolioId: id, runId: rows.first?.run, computedAt: rows.first?.computed, results: rows.map(\.result))
    }
}
