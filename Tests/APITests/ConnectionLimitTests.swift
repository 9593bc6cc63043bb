import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Store
import TestSupport
import Testing

@testable import API

/// Finding 11 and item 5 of the hostile-input review: a connection that sends nothing, or never
/// finishes its request head, is closed; an event stream is not; expensive requests are bounded
/// per client and in all.
@Suite struct ConnectionLimitTests {
    @Test func idleAndSlowHeaderConnectionsAreClosedButStreamsStay() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                var configuration = APIConfiguration(port: 0, limits: APITest.limits)
                configuration.idleTimeoutSeconds = 3
                let app = buildApplication(
                    configuration: configuration,
                    dependencies: APIDependencies(database: ReaderDatabase(client: client, timeout: .seconds(30), logger: db.logger)), logger: db.logger)
                try await app.test(.live) { test in
                    let port = try #require(test.port)
                    let stream = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=trades:AAA")
                    // Generous: CI runs every suite at once, and this only needs the stream open.
                    try await stream.wait(for: .seconds(30)) { $0.contains("200 OK") }
                    let opened = ContinuousClock.now
                    let silent = try RawHTTPClient(port: port, rawRequest: "")
                    let slowHead = try RawHTTPClient(port: port, rawRequest: "GET /api/v1/instruments HTTP/1.1\r\nHost: 12")
                    let finished = try RawHTTPClient(port: port, rawRequest: "GET /api/v1/instruments HTTP/1.1\r\nHost: x\r\n\r\n")
                    // Closed, and not before the timeout (3 s): a stall here only makes this later.
                    try await silent.waitUntilClosed(within: .seconds(30))
                    #expect(ContinuousClock.now - opened > .milliseconds(2_900))
                    for connection in [slowHead, finished] {
                        try await connection.waitUntilClosed(within: .seconds(30))
                    }
                    #expect(finished.received.contains("200 OK"))
                    // The stream outlived the idle timeout: a response in progress is not idle.
                    #expect(stream.drain())
                }
            }
        }
    }

    @Test func expensiveRequestsAreBoundedPerClientAndInAll() async throws {
        let gate = ConcurrencyGate(total: 3, perClient: 2)
        let clients = ["key:1", "key:1", "addr:10.0.0.2"]
        let releases = clients.map { _ in AsyncStream<Void>.makeStream() }
        let entered = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (client, release) in zip(clients, releases) {
                group.addTask {
                    try await gate.run(client: client) {
                        entered.continuation.yield()
                        for await _ in release.stream { break }
                    }
                }
            }
            var arrivals = entered.stream.makeAsyncIterator()
            for _ in clients { await arrivals.next() }
            #expect(gate.inFlight == 3)
            // key:1 has two running: refused, whatever the total; a new client: refused by the total.
            for client in ["key:1", "addr:10.0.0.9"] {
                do {
                    try await gate.run(client: client) { Issue.record("\(client) was let in") }
                } catch let problem as Problem {
                    #expect(problem.status == .tooManyRequests && problem.headers[.retryAfter] == "1")
                }
            }
            for release in releases { release.continuation.yield() }
            try await group.waitForAll()
        }
        #expect(gate.inFlight == 0)
        try await gate.run(client: "key:1") {}
    }
}
