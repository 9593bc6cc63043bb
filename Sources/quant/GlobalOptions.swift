import ArgumentParser
import Logging
import QuantConfig

/// Options every subcommand shares: where the configuration comes from.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: $QUANT_CONFIG or config/config.yaml). Environment variables override it.")
    var config: String?

    func settings() throws -> QuantSettings {
        do {
            return try QuantSettings.load(file: config)
        } catch let error as ConfigSource.LoadError {
            throw ValidationError(error.description)
        }
    }

    func logger(_ label: String, settings: QuantSettings) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: settings.logLevel) ?? .info
        return logger
    }

    /// The settings and a logger of warnings only, for a command that prints its own progress
    /// (benchmarks, the demo).
    func quietContext(_ label: String) throws -> (QuantSettings, Logger) {
        let settings = try settings()
        var logger = logger(label, settings: settings)
        logger.logLevel = .warning
        return (settings, logger)
    }
}
