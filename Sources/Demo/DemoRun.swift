import Dispatch
import Foundation
import Logging
import PostgresNIO
import QuantConfig
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `quant demo`: the whole pipeline on the local stack in one command, with a live summary.
///
/// `startStack` starts PostgreSQL and the broker (`scripts/stack up`) and takes its environment;
/// `prepare` migrates and seeds instruments (equities and options), a year of history, portfolios
/// and positions (`config/demo/seed.sql`); `runPipeline` runs the processor, the risk engine, the
/// API and a synthetic feed as child processes. Ctrl-C stops the feed first, then the services
/// with SIGTERM (they commit what they hold), and keeps the data.
public struct DemoRun: Sendable {
    /// Messages per second of the synthetic feed.
    public var rate = 2_000
    /// Stop by itself after this many seconds (0: run until Ctrl-C).
    public var seconds = 0
    /// Seconds between two summary lines.
    public var every = 5
    /// Simulated sessions of this many minutes for every instrument (a calendar `demo`); 0: their own calendars.
    public var sessionMinutes = 0
    /// The `quant` executable the children run.
    let quant: String
    let settings: QuantSettings

    public init(quant: String, settings: QuantSettings) {
        (self.quant, self.settings) = (quant, settings)
    }

    /// Moves to the checkout `root`, starts the stack and exports what it prints (the URLs, the
    /// secrets and pgpass paths), so settings read after this find the stack.
    public static func startStack(root: URL) async throws {
        FileManager.default.changeCurrentDirectoryPath(root.path)
        try FileManager.default.createDirectory(atPath: ".local/logs", withIntermediateDirectories: true)
        // Ctrl-C is ours alone (the children run in their own process groups): we stop them in order.
        _ = stopRequest

        say("starting PostgreSQL and the Kafka broker (scripts/stack up)")
        let stackLog = ".local/logs/stack.log"
        guard try await ChildProcess.run("stack", "/bin/bash", ["scripts/stack", "up"], environment: environment, logPath: stackLog) == 0 else {
            throw DemoError("scripts/stack up failed; see \(stackLog)")
        }
        for line in try String(contentsOfFile: stackLog, encoding: .utf8).split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { setenv(String(pair[0]), String(pair[1]), 1) }
        }
    }

    /// Migrates, then seeds the demo's instruments, history, portfolios and positions.
    public func prepare() async throws {
        Self.say("migrating and seeding demo instruments, history, portfolios and positions")
        try await step("migrate", quant, ["migrate", "up"])
        try await step("seed", "/usr/bin/psql", [settings.database.url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "config/demo/seed.sql"])
    }

    /// Runs the services and the feed until Ctrl-C (or `seconds`), printing the summary every `every` s.
    public func runPipeline(client: PostgresClient, logger: Logger) async throws {
        try await useSessions(client: client, logger: logger)
        var services: [ChildProcess] = []
        for (name, role) in [("processor", "quant_processor"), ("risk-engine", "quant_risk_engine"), ("api", "quant_api")] {
            services.append(try ChildProcess.start(
                name, quant, [name], environment: Self.environment(as: role, settings: settings), logPath: ".local/logs/\(name).log"))
        }
        // The feed continues from the latest stored prices, so live ticks follow the seeded history.
        let symbols = try await DemoSummary.feedSymbols(client: client, logger: logger)
        // Chunks every 200 ms, not the feed's 50: the local memory broker's fetch lists every batch
        // a topic holds, and at 50 ms its CPU went from 16% to 80% of a core in four minutes even at
        // 2,000 msg/s (12% at 200 ms; docs/benchmarks.md, Soak).
        // One order in ten is the tech desk's, one in ten the options desk's (accounts of the demo
        // portfolios, config/demo/seed.sql): their fills move those portfolios' positions and VaR.
        var feedArguments = ["feed", "--rate", String(rate), "--symbols", symbols, "--chunk-ms", "200",
                             "--accounts", "desk-tech,desk-options,,,,,,,,", "--day-orders"]
        if seconds > 0 { feedArguments += ["--duration", String(seconds)] }
        let feed = try ChildProcess.start("feed", quant, feedArguments, environment: Self.environment, logPath: ".local/logs/feed.log")
        printWhereToLook(settings)

        var summary = DemoSummary(processorMetricsPort: settings.metrics.processorPort)
        var nextSummary = ContinuousClock.now + .seconds(every)
        while feed.isRunning, !Self.stopRequest.isSet {
            try? await Task.sleep(for: .milliseconds(200))
            guard ContinuousClock.now >= nextSummary else { continue }
            nextSummary = ContinuousClock.now + .seconds(every)
            for line in await summary.lines(client: client, logger: logger, services: services) { print(line) }
        }

        Self.say("stopping: the feed, then the services with SIGTERM (each commits what it holds)")
        feed.terminate()
        _ = await feed.exitStatus()
        // Let the processor drain what the feed sent last, then stop everything.
        try? await Task.sleep(for: .seconds(1))
        for service in services { service.terminate() }
        for service in services {
            let status = await service.exitStatus()
            print("  \(service.name): exit \(status)\(status == 0 ? "" : " (see .local/logs/\(service.name).log)")")
        }
        for line in await summary.lines(client: client, logger: logger, services: []) { print(line) }
        print("""

            The data stays in the local stack for inspection:
              \(Self.psql(as: "quant", settings: settings))
              \(Self.psql(as: "analyst", settings: settings)) -c 'select * from analytics.risk_latest'
              logs: .local/logs/    stop the stack: quant dev stop    delete everything: quant dev down
            """)
    }

    /// With `sessionMinutes`, every instrument trades on a calendar `demo` whose session closes
    /// every so many minutes (the processor's scheduler then expires DAY orders at each close);
    /// without, they go back to their own (the default) calendar.
    func useSessions(client: PostgresClient, logger: Logger) async throws {
        if sessionMinutes > 0 {
            try await client.query("""
                INSERT INTO market.trading_calendars (calendar_id, name, time_zone, session_minutes)
                VALUES ('demo', 'quant demo: simulated sessions', 'UTC', \(sessionMinutes))
                ON CONFLICT (calendar_id) DO UPDATE SET session_minutes = EXCLUDED.session_minutes
                """, logger: logger)
            try await client.query("UPDATE market.instruments SET calendar_id = 'demo'", logger: logger)
            Self.say("a simulated session closes every \(sessionMinutes) min: DAY orders expire at each close")
        } else {
            try await client.query("UPDATE market.instruments SET calendar_id = NULL WHERE calendar_id = 'demo'", logger: logger)
        }
    }

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// A service's environment: it logs in as its own role (migration 0020) with the password
    /// `scripts/stack` made for it, never as the owner.
    static func environment(as role: String, settings: QuantSettings) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = settings.database.url.replacingOccurrences(of: "://quant@", with: "://\(role)@")
        if let secrets = environment["QUANT_SECRETS_DIR"] { environment["QUANT_DATABASE_PASSWORD_FILE"] = "\(secrets)/\(role)" }
        return environment
    }

    /// How a person runs psql as `role` on the local stack: the pgpass file `scripts/stack` wrote.
    static func psql(as role: String, settings: QuantSettings) -> String {
        let url = settings.database.url.replacingOccurrences(of: "://quant@", with: "://\(role)@")
        let pass = ProcessInfo.processInfo.environment["PGPASSFILE"].map { "PGPASSFILE=\($0) " } ?? ""
        return "\(pass)psql \"\(url)\""
    }

    func step(_ name: String, _ path: String, _ arguments: [String]) async throws {
        let log = ".local/logs/\(name).log"
        guard try await ChildProcess.run(name, path, arguments, environment: Self.environment, logPath: log) == 0 else {
            throw DemoError("\(name) failed; see \(log)")
        }
    }

    static func say(_ text: String) { print("quant demo: \(text)") }

    func printWhereToLook(_ settings: QuantSettings) {
        let api = "http://\(settings.api.host):\(settings.api.port)/api/v1"
        print("""
            quant demo: feed at \(rate) msg/s → Kafka (\(settings.kafka.brokers)) → processor → PostgreSQL; risk engine and API on top.
              console   open http://\(settings.api.host):\(settings.api.port)/console/#/symbol/AAPL   (the book, trades and price, live)
              API       curl -s \(api)/market/data/AAPL
                        curl -s '\(api)/orderbook/AAPL?depth=5'
                        curl -s \(api)/risk/metrics/tech-long
                        curl -s '\(api)/bars/AAPL?interval=1m'
              analyst   \(Self.psql(as: "analyst", settings: settings)) -c 'select * from analytics.book_tops'
              metrics   curl -s http://\(settings.metrics.host):\(settings.metrics.processorPort)/metrics   (risk-engine :\(settings.metrics.riskEnginePort), api :\(settings.metrics.apiPort))
              Grafana   with Docker: docker compose up (config/grafana/ provisions the datasources and dashboards)
              logs      .local/logs/    Ctrl-C stops the pipeline and keeps the data.
            """)
    }

    /// Set by SIGINT or SIGTERM, whose default action (ending the process) is replaced.
    static let stopRequest = StopRequest([SIGINT, SIGTERM])
}

/// A flag that SIGINT or SIGTERM sets, instead of ending the process.
final class StopRequest: Sendable {
    private let flag = Atomic<Bool>(false)
    /// Written in `init` only; kept so the sources live as long as the request.
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []

    init(_ numbers: [Int32]) {
        for number in numbers {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.flag.store(true, ordering: .relaxed) }
            source.resume()
            sources.append(source)
        }
    }

    var isSet: Bool { flag.load(ordering: .relaxed) }
}
