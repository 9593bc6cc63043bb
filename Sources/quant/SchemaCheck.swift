import ArgumentParser
import Foundation
import Logging
import QuantConfig
import Store

/// Before a service starts: the database schema must be at least `SchemaRequirement.required`.
/// Waits for the database while it cannot be reached (as the connection pool would), then checks
/// once; an older schema ends the command with the missing migrations named (exit code 3), a
/// refusal by the server (a wrong password) at once (exit code 2).
enum SchemaCheck {
    static func require(_ settings: QuantSettings, service: String, logger: Logger) async throws {
        let url: DatabaseURL
        do { url = try DatabaseURL(settings.database.url, passwordFile: settings.database.passwordFile) } catch {
            throw ValidationError("\(error)")
        }
        var attempt = 0
        while true {
            attempt += 1
            do {
                try await url.withConnection(logger: logger, applicationName: "quant-\(service)") { connection in
                    try await SchemaRequirement.check(
                        connection, service: service, migrationsDirectory: settings.migrations.directory, logger: logger)
                }
                return
            } catch let tooOld as SchemaRequirement.TooOld {
                FileHandleOutput.stderr("\(service): \(tooOld)")
                throw ExitCode(3)
            } catch where !PostgresErrorText.isTransient(error) {
                // The server answered and refused (a wrong password, no such database): retrying
                // would not change its mind. A server shutting down or starting up (57P03) will.
                FileHandleOutput.stderr("\(service): \(PostgresErrorText.describe(error))")
                throw ExitCode(2)
            } catch {
                if attempt == 1 || attempt % 30 == 0 {
                    logger.warning("cannot check the database schema yet; retrying every second",
                                   metadata: ["error": "\(PostgresErrorText.describe(error))"])
                }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}
