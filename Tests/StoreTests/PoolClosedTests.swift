import Logging
import PostgresNIO
import Store
import TestSupport
import Testing

/// A closed pool is recognised by the error's type (issue 17: not by its text). The processor
/// stops retrying on it; on anything else transient it retries.
@Suite struct PoolClosedTests {
    @Test func aShutDownPoolIsRecognisedAndNothingElseIs() async throws {
        try await TestDatabase.with { db in
            let client = PostgresClient(configuration: db.url.clientConfiguration(poolSize: 1), backgroundLogger: db.logger)
            let running = Task { await client.run() }
            // A server error from a running pool is not a closed pool.
            do {
                _ = try await client.query("SELEC 1", logger: db.logger).collect()
                Issue.record("a syntax error was accepted")
            } catch {
                #expect(PostgresErrorText.sqlState(error) == "42601")
                #expect(!PostgresErrorText.isPoolClosed(error))
            }
            running.cancel()
            await running.value
            // Both ways a closed pool answers: the lease (withConnection) and a query.
            do {
                try await client.withConnection { _ in }
                Issue.record("a closed pool leased a connection")
            } catch {
                #expect(PostgresErrorText.isPoolClosed(error), "\(String(reflecting: error))")
            }
            do {
                _ = try await client.query("SELECT 1", logger: db.logger).collect()
                Issue.record("a closed pool ran a query")
            } catch {
                #expect(PostgresErrorText.isPoolClosed(error), "\(String(reflecting: error))")
            }
            #expect(!PostgresErrorText.isPoolClosed(CancellationError()))
        }
    }
}
