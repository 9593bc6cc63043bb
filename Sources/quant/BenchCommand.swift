import ArgumentParser

/// `quant bench …`: performance benchmarks; run them from a release build
/// (`swift build -c release`) and record results in docs/benchmarks.md.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Performance benchmarks (use a release build; results go to docs/benchmarks.md).",
        subcommands: [
            // Keep one subcommand per line so parallel work merges cleanly.
            BenchRiskCommand.self,
            BenchOrderBookCommand.self,
            BenchIngestCommand.self,
            BenchFillRiskCommand.self,
        ]
    )
}
