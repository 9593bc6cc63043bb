import Foundation
import Kafka
import Logging
import MarketCore
import PostgresNIO
import Processor
import Store
import Synchronization
import TestSupport
import Testing

/// Issue 23, "Done when": a seeded hostile-input run. A generator mixes good quotes, trades and
/// orders with malformed, out-of-range, future-dated, mis-keyed and oversized ones, round after
/// round, while hostile HTTP requests hit a real `quant api` process and a poller asks its health
/// throughout. Both services log in as their own roles. At the end every good message is stored
/// once, every bad one is a dead letter with its reason, the books equal a replay of the good
/// commands, no HTTP answer was a 5xx, health answered 200 every time, and both services are
/// still running (then stop cleanly).
///
/// CI runs a short version (2 rounds of 600, two requests in flight); `scripts/hostile-run ROUNDS SEED` a long one (docs/security.md).
/// `QUANT_HOSTILE_SEED`, `QUANT_HOSTILE_ROUNDS` and `QUANT_HOSTILE_MESSAGES` (per round) set it.
@Suite struct HostileRunTests {
    struct Knobs {
        var seed: UInt64
        var rounds: Int
        var messages: Int

        init(_ environment: [String: String] = ProcessInfo.processInfo.environment) {
            seed = environment["QUANT_HOSTILE_SEED"].flatMap(UInt64.init) ?? 23
            rounds = environment["QUANT_HOSTILE_ROUNDS"].flatMap(Int.init) ?? 2
            messages = environment["QUANT_HOSTILE_MESSAGES"].flatMap(Int.init) ?? 600
        }
    }

    @Test func aSeededHostileRunLosesNothingAndStopsNothing() async throws {
        let knobs = Knobs()
        try await ProcessorIntegrationTests.withFixture { f in
            // A refusal only the database knows (HostileInputTests sends a trade it refuses).
            try await f.client.query("ALTER TABLE market.trades ADD CONSTRAINT refuses_size_777777 CHECK (size <> 777777)",
                                     logger: f.logger)
            let deskKey = "qk_hostile-desk-\(UUID().uuidString.prefix(8))"
            try await f.client.query("""
                INSERT INTO ops.api_keys (name, secret_prefix, secret_hash, scopes, accounts)
                VALUES ('hostile-desk', 'qk_hostile', sha256(convert_to(\(deskKey), 'UTF8')), '{read,write}', '{A-1}')
                """, logger: f.logger)
            let api = try await onRandomPort(in: 30_000..<32_000) { port in
                let api = try APIProcess(f, port: port, idleTimeoutSeconds: 5)
                do { try await api.waitUntilAnswering() } catch { api.kill(); throw error }
                return api
            }
            defer { api.kill() }

            var settings = ProcessorSettings(brokers: f.brokers, groupID: f.group, topics: f.topics, batchMaxMessages: 300,
                                             batchMaxDelay: .milliseconds(20))
            settings.snapshotInterval = .seconds(1)
            let processorSettings = settings
            let sent = try await f.db.withClient(as: "quant_processor") { processorClient in
                let run = Task { try await ProcessorService(settings: processorSettings, client: processorClient, logger: f.logger).run { _ in } }
                let done = StopFlag()
                let health = Task { try await api.pollHealth(until: done) }
                let attacks = Task { try await api.attack(seed: knobs.seed, deskKey: deskKey, until: done) }
                var random = SplitMix64(seed: knobs.seed)
                var sent: [HostileInputTests.Sent] = []
                for round in 0..<knobs.rounds {
                    sent += try await ProcessorIntegrationTests.produce(
                        knobs.messages, topics: f.topics, brokers: f.brokers, seed: knobs.seed &+ UInt64(round),
                        badEvery: Int.random(in: 7...60, using: &random), orderPrefix: "r\(round)-")
                    var hostile = HostileInputTests.hostile(f.topics)
                    hostile.shuffle(using: &random)
                    try await HostileInputTests.send(Array(hostile.prefix(Int.random(in: 4...hostile.count, using: &random))),
                                                     brokers: f.brokers, into: &sent)
                }
                try await ProcessorIntegrationTests.waitUntilCaughtUp(f.client, group: f.group, topics: f.topics, brokers: f.brokers,
                                                                      logger: f.logger, timeout: .seconds(120))
                done.set()
                let attacked = try await attacks.value
                let polled = try await health.value
                // The processor never stopped: it is still running until told to.
                #expect(!run.isCancelled)
                run.cancel()
                try await value(of: run, within: .seconds(20), "the processor to stop")
                #expect(attacked.answers >= 100, "hostile requests answered: \(attacked)")
                #expect(attacked.serverErrors.isEmpty, "5xx answers: \(attacked.serverErrors)")
                #expect(polled.checks > 5 && polled.failures.isEmpty, "health: \(polled)")
                print("""
                    hostile run: seed \(knobs.seed), \(knobs.rounds) rounds of \(knobs.messages) messages: \(sent.count) sent, \
                    \(sent.filter(\.bad).count) bad; HTTP: \(attacked); health: \(polled)
                    """)
                return sent
            }
            try await ProcessorIntegrationTests.verify(f.client, sent: sent, topics: f.topics, logger: f.logger)
            #expect(api.isRunning, "quant api exited during the run")
            #expect(try await api.terminate() == 0)
        }
    }
}

extension HostileInputTests {
    /// Sends `messages` and appends them to `sent`.
    static func send(_ messages: [Sent], brokers: String, into sent: inout [Sent]) async throws {
        try await send(messages, brokers: brokers)
        sent += messages
    }
}

/// A `quant api` process on the fixture's database, as its own role, publishing orders to the
/// fixture's topics.
struct APIProcess: Sendable {
    let process: Process
    let port: Int

    init(_ f: ProcessorIntegrationTests.Fixture, port: Int, idleTimeoutSeconds: Int) throws {
        let binary = "\(TestDatabase.repositoryRoot)/.build/debug/quant"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestDatabase.MissingService(description: "\(binary) is missing: scripts/test builds it before the tests")
        }
        self.port = port
        var environment = ProcessInfo.processInfo.environment
        let url = try f.db.url(as: "quant_api")
        environment["DATABASE_URL"] = "postgres://\(url.username)@\(url.host):\(url.port)/\(url.database)"
        environment["QUANT_DATABASE_PASSWORD_FILE"] = (environment["QUANT_SECRETS_DIR"] ?? "") + "/quant_api"
        environment["KAFKA_BROKERS"] = f.brokers
        environment["QUANT_PROCESSOR_TOPIC_PREFIX"] = String(f.topics.quotes.dropLast("md.quotes".count))
        environment["QUANT_PROCESSOR_SESSIONS"] = "false"  // no end_of_day beside what the test sends
        environment["QUANT_API_HOST"] = "127.0.0.1"
        environment["QUANT_API_PORT"] = String(port)
        environment["QUANT_API_IDLE_TIMEOUT_SECONDS"] = String(idleTimeoutSeconds)
        environment["QUANT_METRICS_API_PORT"] = "0"
        environment["QUANT_LOG_LEVEL"] = "warning"
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["api"]
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: TestDatabase.repositoryRoot)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    func kill() { if process.isRunning { process.terminate() } }

    /// SIGTERM; the exit status.
    func terminate() async throws -> Int32 {
        process.terminate()
        let process = process
        return try await value(of: Task { () async throws -> Int32 in await process.exited(); return process.terminationStatus },
                               within: .seconds(20), "quant api to stop")
    }

    func waitUntilAnswering() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if (try? await request("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) == 200 { return }
            guard process.isRunning else { throw TestDatabase.MissingService(description: "quant api exited at start") }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestDatabase.MissingService(description: "quant api did not answer within 30 s")
    }

    /// The status of the answer to `raw`, nil when the server closed without one.
    func request(_ raw: String, within timeout: Duration = .seconds(10)) async throws -> Int? {
        let client = try RawHTTPClient(port: port, rawRequest: raw)
        try await client.waitUntilClosed(within: timeout)
        return client.status
    }

    struct HealthRecord: Sendable, CustomStringConvertible {
        var checks = 0
        var failures: [String] = []
        var description: String { "\(checks) checks, failures: \(failures.prefix(5))" }
    }

    /// Asks `/health` every 200 ms until `done`; each must answer 200 within 15 s (generous: CI
    /// runs every suite at once; what counts is that it answers, and with 200).
    func pollHealth(until done: StopFlag) async throws -> HealthRecord {
        var record = HealthRecord()
        while !done.isSet {
            record.checks += 1
            do {
                let status = try await request("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", within: .seconds(15))
                if status != 200 { record.failures.append("status \(status.map(String.init) ?? "none")") }
            } catch {
                record.failures.append("\(error)")
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return record
    }

    struct AttackRecord: Sendable, CustomStringConvertible {
        var answers = 0
        var statuses: [Int: Int] = [:]
        var serverErrors: [String] = []
        var description: String { "\(answers) answers, by status \(statuses.sorted { $0.key < $1.key })" }
    }

    /// Hostile requests drawn from `hostileRequests` by `seed`, two in flight at a time (a slow
    /// head holds its slot until the server drops it), until `done` and `minimum` answered. (Few
    /// at once: CI runs this beside every other suite.)
    func attack(seed: UInt64, deskKey: String, until done: StopFlag, minimum: Int = 100) async throws -> AttackRecord {
        let requests = Self.hostileRequests(deskKey: deskKey)
        var random = SplitMix64(seed: seed ^ 0x5eed)
        var record = AttackRecord()
        try await withThrowingTaskGroup(of: (String, Int?).self) { group in
            var inFlight = 0
            while !done.isSet || record.answers < minimum {
                if inFlight == 2, let (raw, status) = try await group.next() {
                    inFlight -= 1
                    guard let status else { continue }  // closed without an answer (garbage, a slow head)
                    record.answers += 1
                    record.statuses[status, default: 0] += 1
                    if status >= 500 { record.serverErrors.append("\(status) for \(raw.prefix(120))") }
                }
                let raw = requests[Int.random(in: 0..<requests.count, using: &random)]
                group.addTask { (raw, try? await self.request(raw)) }
                inFlight += 1
            }
        }
        return record
    }

    /// What an attacker sends: impossible times, forged cursors, injections, oversized and
    /// malformed bodies, duplicate keys, bad keys, another account's orders, garbage, slow heads.
    /// None may be accepted as a write (the books would then differ from the replay).
    static func hostileRequests(deskKey: String) -> [String] {
        func get(_ path: String, _ headers: String = "") -> String {
            "GET \(path) HTTP/1.1\r\nHost: x\r\n\(headers)Connection: close\r\n\r\n"
        }
        func post(_ path: String, _ body: String, key: String? = nil) -> String {
            let auth = key.map { "Authorization: Bearer \($0)\r\n" } ?? ""
            return "POST \(path) HTTP/1.1\r\nHost: x\r\n\(auth)Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        }
        let order = #""symbol":"AAA","side":"buy","order_type":"limit","price":"10","quantity":1"#
        let forged = Data("2026-01-01T00:00:00Z|1000000".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return [
            get("/api/v1/trades/AAA?to=0000-01-05T00:00:00Z"),
            get("/api/v1/market/data/AAA?from=9999-12-31T00:00:00Z"),
            get("/api/v1/risk/metrics/alpha?history=true&to=0000-01-05T00:00:00Z"),
            get("/api/v1/trades/AAA?cursor=\(forged)"),
            get("/api/v1/market/data/\(String(repeating: "S", count: 200))"),
            get("/api/v1/trades/AAA%27%20OR%20%271%27%3D%271"),
            get("/api/v1/bars/AAA?interval=1m&from=0001-01-01T00:00:00Z"),
            get("/api/v1/risk/portfolios/nobody/hedge"),
            get("/api/v1/instruments?limit=1000000"),
            get("/api/v1/instruments"),
            get("/api/v1/orderbook/AAA?depth=5"),
            get("/api/v1/instruments", "Authorization: Bearer qk_made-up-\(UUID().uuidString)\r\n"),
            get("/api/v1/instruments", "X-Padding: \(String(repeating: "p", count: 100_000))\r\n"),
            post("/api/v1/orders", "{\(order),\"quantity\":1000000}", key: deskKey),           // a key written twice
            post("/api/v1/orders", "{\(order),\"account\":\"B-2\"}", key: deskKey),             // another account: 403
            post("/api/v1/orders", "{\(order)}"),                                                // no key: 401
            post("/api/v1/orders", "{\(order)}", key: "qk_not-a-key"),                          // unknown key: 401
            post("/api/v1/orders", "{\"pad\":\"\(String(repeating: "x", count: 70_000))\"}", key: deskKey),  // too large: 413
            post("/api/v1/orders", "{\(order),\"price\":\"1e400\"}", key: deskKey),             // impossible price: 422
            post("/api/v1/risk/portfolios/nobody/stresstest", "{\"scenarios\":[]}"),
            "BLAH /\u{01}\u{02} HTTP/9.9\r\n\r\n",                                               // garbage
            "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ",                              // a head never finished
        ]
    }
}

/// Tells the background loops of a run to finish (not cancellation: their requests must complete).
final class StopFlag: Sendable {
    private let flag = Atomic(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
