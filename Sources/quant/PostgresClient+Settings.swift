import ArgumentParser
import Logging
import PostgresNIO
import QuantConfig
import Store

extension PostgresClient {
    /// The pool of a long-running subcommand, from `database.*`; a bad URL is a usage error.
    static func fromSettings(_ settings: QuantSettings, applicationName: String, logger: Logger) throws -> PostgresClient {
        let url: DatabaseURL
        do {
            url = try DatabaseURL(settings.database.url, passwordFile: settings.database.passwordFile)
        } catch {
            throw ValidationError("\(error)")
        }
        return PostgresClient(
            configuration: url.clientConfiguration(poolSize: settings.database.poolSize, applicationName: applicationName),
            backgroundLogger: logger)
    }
}
