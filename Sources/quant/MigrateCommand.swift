import ArgumentParser
import Foundation
import Store

/// `quant migrate up | status | verify`.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply, list or verify the numbered schema migrations, then the reader views in sql/.",
        subcommands: [Up.self, Status.self, Verify.self],
        defaultSubcommand: Status.self
    )

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending migrations (each in one transaction, under an advisory lock), re-apply sql/, make partitions ahead.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let migrator = try makeMigrator(global)
            do {
                let report = try await migrator.up()
                if report.applied.isEmpty {
                    print("migrations: up to date")
                } else {
                    print("migrations: applied \(report.applied.map { String(format: "%04d", $0) }.joined(separator: ", "))")
                }
                print("sql: re-applied \(report.sqlFiles.count) files from \(migrator.sqlDirectory)/")
            } catch {
                FileHandleOutput.stderr("migrate: \(PostgresErrorText.describe(error))")
                throw ExitCode(2)
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every migration with its state: applied, pending, changed or missing.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let migrator = try makeMigrator(global)
            let statuses = try await reportingErrors { try await migrator.status() }
            let formatter = ISO8601DateFormatter()
            print("version  state    applied_at            duration_ms  name")
            for s in statuses {
                let applied = s.appliedAt.map { formatter.string(from: $0) } ?? "-"
                let duration = s.durationMs.map { String(format: "%.1f", $0) } ?? "-"
                print(String(format: "%04d", s.version) + "     " + s.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                      + " " + applied.padding(toLength: 21, withPad: " ", startingAt: 0)
                      + " " + duration.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + s.name)
            }
            let pending = statuses.filter { $0.state == .pending }.count
            let bad = statuses.filter { $0.state == .changed || $0.state == .missing }.count
            print("\(statuses.count - pending - bad) applied, \(pending) pending, \(bad) with problems")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that every applied migration's file still exists unchanged; exit 1 if not.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let migrator = try makeMigrator(global)
            let problems = try await reportingErrors { try await migrator.verify() }
            if problems.isEmpty {
                print("verify: ledger and migration files agree")
                return
            }
            for problem in problems { FileHandleOutput.stderr("verify: \(problem)") }
            throw ExitCode(1)
        }
    }

    static func makeMigrator(_ global: GlobalOptions) throws -> Migrator {
        let settings = try global.settings()
        let url = try DatabaseURL(settings.database.url, passwordFile: settings.database.passwordFile)
        return Migrator(
            url: url,
            migrationsDirectory: settings.migrations.directory,
            sqlDirectory: settings.migrations.sqlDirectory,
            premakeDays: settings.partitions.premakeDays,
            logger: global.logger("quant.migrate", settings: settings))
    }
}

/// Prints the server's real message (postgres-nio hides it by default) and exits 2.
private func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch {
        FileHandleOutput.stderr("migrate: \(PostgresErrorText.describe(error))")
        throw ExitCode(2)
    }
}

private func makeMigrator(_ global: GlobalOptions) throws -> Migrator { try MigrateCommand.makeMigrator(global) }

enum FileHandleOutput {
    static func stderr(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
