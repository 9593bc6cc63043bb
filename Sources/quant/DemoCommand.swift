import ArgumentParser
import Demo
import Foundation
import Logging
import PostgresNIO

/// `quant demo` (the run is `DemoRun`): options, the checkout, settings read once the stack is up,
/// and the database pool the live summary reads through.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole pipeline on the local stack with a synthetic feed and a live summary (Ctrl-C stops it, data stays).",
        discussion: "Logs go to .local/logs/. `quant dev down` deletes the stack and its data. scripts/demo installs and builds first, then runs this.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Messages per second of the synthetic feed.") var rate = 2_000
    @Option(help: "Stop by itself after this many seconds (0: run until Ctrl-C).") var seconds = 0
    @Option(help: "Seconds between two summary lines.") var every = 5
    @Option(help: "Close a simulated trading session every this many minutes (0: the instruments' own calendars): DAY orders expire at each close.")
    var sessionMinutes = 0

    func run() async throws {
        guard let root = ProjectRoot.locate() else {
            throw ValidationError("cannot find the checkout (scripts/stack): run from it or set QUANT_HOME")
        }
        try await DemoRun.startStack(root: root)
        let settings = try global.settings()
        var demo = DemoRun(quant: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path, settings: settings)
        guard (0...1440).contains(sessionMinutes) else { throw ValidationError("--session-minutes: 0 to 1440") }
        (demo.rate, demo.seconds, demo.every, demo.sessionMinutes) = (rate, seconds, every, sessionMinutes)
        try await demo.prepare()

        var logger = Logger(label: "quant.demo")
        logger.logLevel = .warning
        let client = try PostgresClient.fromSettings(settings, applicationName: "quant-demo", logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await demo.runPipeline(client: client, logger: logger)
        }
    }
}
