import ArgumentParser

/// The one executable: every service and tool of quant-pipeline is a subcommand.
@main
struct Quant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quant",
        abstract: "quant-pipeline: Kafka in, in-memory order books, PostgreSQL as the system of record.",
        subcommands: [
            // Keep one subcommand per line so parallel work merges cleanly.
            DevCommand.self,
            MigrateCommand.self,
            ConfigCommand.self,
            ProcessorCommand.self,
            MetricsCommand.self,
            DemoCommand.self,
            FeedCommand.self,
            RiskCommand.self,
            RiskEngineCommand.self,
            BenchCommand.self,
            BookCommand.self,
            APICommand.self,
            APIKeyCommand.self,
        ]
    )
}
