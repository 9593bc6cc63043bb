import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Store
import TestSupport
import Testing

/// PostgreSQL stops for a few seconds under a running API (a private cluster, so the shared stack
/// is untouched): health and reads answer 503 with problem details meanwhile, and the API recovers
/// by itself once the database is back, without a restart.
@Suite struct DatabaseOutageTests {
    @Test func theAPIAnswers503WhileTheDatabaseIsDownAndRecoversByItself() async throws {
        let postgres = try await PrivatePostgres()
        defer { postgres.remove() }
        var logger = Logger(label: "outage-test")
        logger.logLevel = .critical
        let url = try postgres.url
        try await Migrator(url: url, migrationsDirectory: "\(TestDatabase.repositoryRoot)/migrations",
                           sqlDirectory: "\(TestDatabase.repositoryRoot)/sql", logger: logger).up()
        let pg = PostgresClient(configuration: url.clientConfiguration(poolSize: 4), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pg.run() }
            defer { group.cancelAll() }
            let dependencies = APIDependencies(database: ReaderDatabase(client: pg, timeout: .seconds(1), logger: logger))
            let app = Application(router: buildRouter(configuration: APIConfiguration(), dependencies: dependencies))
            try await app.test(.router) { client in
                // A fresh cluster on a loaded machine may take a moment to answer within the 1 s deadline.
                let up = ContinuousClock.now + .seconds(30)
                while try await client.get("/api/v1/health").status != .ok, ContinuousClock.now < up {
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(try await client.get("/api/v1/health").status == .ok)
                #expect(try await client.get("/api/v1/instruments").status == .ok)

                try await postgres.stack("pg-stop")
                let health = try await client.get("/api/v1/health")
                #expect(health.status == .serviceUnavailable)
                let read = try APITest.expectProblem(try await client.get("/api/v1/instruments"), .serviceUnavailable)
                #expect(read.type == "urn:quant:problem:dependency-unavailable")

                try await postgres.stack("pg-start")
                let deadline = ContinuousClock.now + .seconds(30)
                var status = HTTPResponse.Status.serviceUnavailable
                while ContinuousClock.now < deadline {
                    status = try await client.get("/api/v1/instruments").status
                    if status == .ok { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(status == .ok, "the API should recover within 30 s of the database coming back")
                #expect(try await client.get("/api/v1/health").status == .ok)
            }
        }
    }
}
