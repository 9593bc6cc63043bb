import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

@Suite struct HealthTests {
    struct HealthBody: Decodable {
        struct Dependency: Decodable { var status: String }
        var status: String
        var postgres: Dependency
    }

    @Test func healthyWithTheDatabase() async throws {
        try await APITest.withAPI(seed: false) { client, _, _ in
            let response = try await client.get("/api/v1/health")
            #expect(response.status == .ok)
            let body = try APITest.decode(HealthBody.self, response)
            #expect(body.status == "ok" && body.postgres.status == "up")
            try APITest.expectProblem(try await client.get("/api/v1/no-such-route"), .notFound)
        }
    }

    /// Nothing listens on the database port: health says 503, and so do reads, as problem details.
    @Test func unavailableWithoutTheDatabase() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let config = PostgresClient.Configuration(host: "127.0.0.1", port: 1, username: "quant", password: nil,
                                                  database: "quant", tls: .disable)
        let pg = PostgresClient(configuration: config, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pg.run() }
            defer { group.cancelAll() }
            let dependencies = APIDependencies(database: ReaderDatabase(client: pg, timeout: .milliseconds(500), logger: logger))
            let app = Application(router: buildRouter(configuration: APIConfiguration(), dependencies: dependencies))
            try await app.test(.router) { client in
                let health = try await client.get("/api/v1/health")
                #expect(health.status == .serviceUnavailable)
                #expect(try APITest.decode(HealthBody.self, health).postgres.status == "down")
                let read = try APITest.expectProblem(try await client.get("/api/v1/instruments"), .serviceUnavailable)
                #expect(read.type == "urn:quant:problem:dependency-unavailable")
                // Malformed input is still a 400, without asking the database.
                try APITest.expectProblem(try await client.get("/api/v1/trades/AAA?limit=0"), .badRequest)
            }
        }
    }
}
