import API
import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing

/// `Idempotency-Key` records expire after `api.idempotencyTtlHours`: the key may then be reused.
@Suite struct IdempotencyExpiryTests {
    @Test func anExpiredKeyIsRemovedAndFreeAgain() async throws {
        let publisher = RecordingPublisher()
        var configuration = APIConfiguration(limits: APITest.limits)
        configuration.idempotencyTTL = .seconds(3600)
        try await APITest.withAPI(orders: publisher, configuration: configuration) { client, pg, logger in
            let order = #"{"symbol":"AAA","side":"buy","order_type":"market","quantity":5}"#
            #expect(try await client.send(.post, "/api/v1/orders", json: order, key: "old").status == .accepted)
            #expect(try await client.send(.post, "/api/v1/orders", json: order, key: "fresh").status == .accepted)
            // Within the TTL a different request under the key is a conflict...
            try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: order.replacingOccurrences(of: "5", with: "6"), key: "old"), .conflict)
            // ...once "old" is older than the TTL, the next claim removes it and the key is new again.
            try await pg.query("UPDATE ops.idempotency_keys SET created_at = now() - interval '61 minutes' WHERE idempotency_key = 'old'", logger: logger)
            #expect(try await client.send(.post, "/api/v1/orders", json: order.replacingOccurrences(of: "5", with: "6"), key: "old").status == .accepted)
            let keys = try await pg.query("SELECT idempotency_key, created_at > now() - interval '1 minute' FROM ops.idempotency_keys ORDER BY 1", logger: logger)
            var rows: [String: Bool] = [:]
            for try await (key, recent) in keys.decode((String, Bool).self) { rows[key] = recent }
            #expect(rows == ["fresh": true, "old": true])
            #expect(await publisher.commands.count == 3)
        }
    }
}
