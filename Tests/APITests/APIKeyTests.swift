import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Store
import TestSupport
import Testing

/// API keys: stored hashed, invisible to analysts, required for writes (and reads when configured),
/// 401/403 as problem details, revocation honoured within the cache TTL, and `quant api-key`.
@Suite struct APIKeyTests {
    @Test func createStoresOnlyTheHashAndRevokeEndsTheKey() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                let store = APIKeyStore(database: ReaderDatabase(client: client, timeout: .seconds(30), logger: db.logger))
                let (record, secret) = try await store.create(name: "desk-1", scope: .write)
                #expect(secret.hasPrefix("qk_") && secret.count == 46)
                #expect(record.scopes == ["read", "write"] && record.revokedAt == nil)
                #expect(secret.hasPrefix(record.prefix))
                let (other, otherSecret) = try await store.create(name: "reader", scope: .read)
                #expect(other.scopes == ["read"] && otherSecret != secret)
                try await db.connection { c in
                    let hashed = try await c.scalar("""
                        SELECT secret_hash = sha256(convert_to(\(secret), 'UTF8')) FROM ops.api_keys WHERE name = 'desk-1'
                        """, as: Bool.self, logger: db.logger)
                    #expect(hashed == true)
                    // The secret itself is nowhere in the row.
                    let leaked = try await c.scalar("""
                        SELECT count(*)::int FROM ops.api_keys k WHERE position(\(secret) IN k::text) > 0
                        """, as: Int.self, logger: db.logger)
                    #expect(leaked == 0)
                }
                await #expect(throws: APIKeyStore.Failure.nameInUse("desk-1")) { try await store.create(name: "desk-1", scope: .read) }
                await #expect(throws: APIKeyStore.Failure.invalidName) { try await store.create(name: "", scope: .read) }
                // Accounts: only for write keys, each a valid account name or '*'.
                let (desk, _) = try await store.create(name: "desk-2", scope: .write, accounts: ["B-2", "A-1", "A-1"])
                #expect(desk.accounts == ["A-1", "B-2"])
                await #expect(throws: APIKeyStore.Failure.accountsWithoutWrite) {
                    try await store.create(name: "r2", scope: .read, accounts: ["A-1"])
                }
                await #expect(throws: APIKeyStore.Failure.invalidAccount("a b")) {
                    try await store.create(name: "w2", scope: .write, accounts: ["a b"])
                }
                #expect(try await store.revoke("desk-2"))
                #expect(try await store.revoke("desk-1"))
                #expect(try await !store.revoke("desk-1"))
                #expect(try await store.revoke(String(other.id)))
                let listed = try await store.list()
                #expect(listed.map(\.name) == ["desk-1", "reader", "desk-2"])
                #expect(listed.allSatisfy { $0.revokedAt != nil })
                // A revoked key's name may be used again.
                _ = try await store.create(name: "desk-1", scope: .read)
            }
        }
    }

    @Test func theAnalystCannotReadTheKeys() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { try await APITest.insertKeys($0, logger: db.logger) }
            try await db.connection(as: "analyst") { c in
                do {
                    try await c.query("SELECT count(*) FROM ops.api_keys", logger: db.logger)
                    Issue.record("the analyst read ops.api_keys")
                } catch {
                    #expect(PostgresErrorText.sqlState(error) == "42501", "permission denied, not \(PostgresErrorText.describe(error))")
                }
            }
            try await db.connection(as: "analyst") { c in
                // No reader view exposes a key column.
                let exposed = try await c.scalar("""
                    SELECT count(*)::int FROM information_schema.columns
                    WHERE table_schema IN ('api', 'analytics') AND (column_name LIKE '%secret%' OR table_name LIKE '%api_key%')
                    """, as: Int.self, logger: db.logger)
                #expect(exposed == 0)
            }
        }
    }

    static let order = #"{"symbol":"AAA","side":"buy","order_type":"market","quantity":5}"#

    @Test func writesNeedAKeyWithWriteScope() async throws {
        try await APITest.withAPI(orders: RecordingPublisher()) { client, _, _ in
            let missing = try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: Self.order, apiKey: nil), .unauthorized)
            #expect(missing.type == "urn:quant:problem:unauthorized")
            let answer = try await client.send(.post, "/api/v1/orders", json: Self.order, apiKey: nil)
            #expect(answer.headers[.wwwAuthenticate] == #"Bearer realm="quant-api""#)
            try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: Self.order, apiKey: "qk_nope"), .unauthorized)
            let scope = try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: Self.order, apiKey: APITest.readerKey), .forbidden)
            #expect(scope.type == "urn:quant:problem:insufficient-scope")
            try APITest.expectProblem(try await client.send(.delete, "/api/v1/orders/o-1?symbol=AAA", apiKey: nil), .unauthorized)
            try APITest.expectProblem(try await client.send(.patch, "/api/v1/orders/o-1", json: "{}", apiKey: APITest.readerKey), .forbidden)
            #expect(try await client.send(.post, "/api/v1/orders", json: Self.order).status == .accepted)
            // X-API-Key works as well as Authorization: Bearer.
            let viaHeader = try await client.execute(uri: "/api/v1/orders", method: .post,
                headers: [.contentType: "application/json", HTTPField.Name("X-API-Key")!: APITest.writerKey],
                body: ByteBuffer(string: Self.order))
            #expect(viaHeader.status == .accepted)
            let basic = try await client.execute(uri: "/api/v1/orders", method: .post,
                headers: [.authorization: "Basic dXNlcjpwdw=="], body: ByteBuffer(string: Self.order))
            try APITest.expectProblem(basic, .unauthorized)
            // Reads are open by default; a presented key must still be valid.
            #expect(try await client.get("/api/v1/instruments").status == .ok)
            #expect(try await client.send(.get, "/api/v1/instruments", apiKey: APITest.readerKey).status == .ok)
            try APITest.expectProblem(try await client.send(.get, "/api/v1/instruments", apiKey: "qk_nope"), .unauthorized)
        }
    }

    @Test func readsNeedAKeyWhenConfigured() async throws {
        var configuration = APIConfiguration(limits: APITest.limits)
        configuration.access.requireKeyForReads = true
        try await APITest.withAPI(configuration: configuration) { client, _, _ in
            try APITest.expectProblem(try await client.get("/api/v1/instruments"), .unauthorized)
            #expect(try await client.send(.get, "/api/v1/instruments", apiKey: APITest.readerKey).status == .ok)
            #expect(try await client.send(.get, "/api/v1/trades/AAA", apiKey: APITest.writerKey).status == .ok)
            // Health stays open for probes.
            #expect(try await client.get("/api/v1/health").status == .ok)
        }
    }

    @Test func aRevokedKeyStopsWorkingWithinTheCacheTime() async throws {
        var configuration = APIConfiguration(limits: APITest.limits)
        configuration.access.keyCacheTTL = .milliseconds(300)
        try await APITest.withAPI(orders: RecordingPublisher(), configuration: configuration) { client, pg, logger in
            #expect(try await client.send(.post, "/api/v1/orders", json: Self.order).status == .accepted)
            let store = APIKeyStore(database: ReaderDatabase(client: pg, timeout: .seconds(30), logger: logger))
            #expect(try await store.list().first { $0.name == "test-writer" }?.lastUsedAt != nil)
            #expect(try await store.revoke("test-writer"))
            try await Task.sleep(for: .milliseconds(400))
            try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: Self.order), .unauthorized)
        }
    }

    /// `quant api-key create | list | revoke` as a user runs them.
    @Test func theCommandCreatesListsAndRevokes() async throws {
        let binary = try APITest.quantBinary()
        try await TestDatabase.with { db in
            try await db.migrator().up()
            let environment = APITest.environment(for: db)
            func run(_ arguments: [String]) async throws -> (status: Int32, out: String) {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = arguments
                process.environment = environment
                process.currentDirectoryURL = URL(fileURLWithPath: TestDatabase.repositoryRoot)
                let text = try await process.runCollectingOutput()
                return (process.terminationStatus, text)
            }
            let created = try await run(["api-key", "create", "--name", "ci", "--scope", "write"])
            #expect(created.status == 0)
            let secret = created.out.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(secret.hasPrefix("qk_") && secret.count == 46)
            let listed = try await run(["api-key", "list"])
            #expect(listed.status == 0 && listed.out.contains("ci") && listed.out.contains("read,write"))
            #expect(!listed.out.contains(secret))
            let names = try await db.withClient { client in
                try await APIKeyStore(database: ReaderDatabase(client: client, timeout: .seconds(30), logger: db.logger)).list().map(\.name)
            }
            #expect(names == ["ci"])
            #expect(try await run(["api-key", "create", "--name", "ci"]).status == 1)
            #expect(try await run(["api-key", "create", "--name", "x", "--scope", "admin"]).status != 0)
            #expect(try await run(["api-key", "revoke", "ci"]).status == 0)
            #expect(try await run(["api-key", "revoke", "ci"]).status == 1)
        }
    }
}
