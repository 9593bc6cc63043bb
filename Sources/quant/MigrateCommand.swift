import ArgumentParser
import Foundation
import Store

/// `quant migrate up [--to N] | plan [--to N] [--rehearse] | status | verify`.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply, plan, list or verify the numbered schema migrations, then the reader views in sql/.",
        subcommands: [Up.self, Plan.self, Status.self, Verify.self],
        defaultSubcommand: Status.self
    )

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending migrations, re-apply sql/ and make partitions ahead: one transaction, under an advisory lock.",
            discussion: "With --to N, only migrations up to N, and neither sql/ nor partitions unless N is the latest: the reader schemas stay empty until `quant migrate up` reaches the head (rehearsals, bisecting an upgrade).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "Stop after this migration version.") var to: Int?

        func run() async throws {
            let migrator = try makeMigrator(global)
            let report = try await reportingErrors { try await migrator.up(to: to) }
            if report.applied.isEmpty {
                print("migrations: up to date at \(version(report.version))")
            } else {
                print("migrations: applied \(report.applied.map(version).joined(separator: ", "))")
            }
            if report.sqlFiles.isEmpty {
                print("sql: not applied below the head (\(version(report.head))); the api and analytics schemas are empty until `quant migrate up`")
            } else {
                print("sql: re-applied \(report.sqlFiles.count) files from \(migrator.sqlDirectory)/")
            }
        }
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what `quant migrate up` would apply, without applying it.",
            discussion: "With --rehearse, runs the whole upgrade in a transaction and rolls it back, timing each migration (it takes the same locks as the upgrade).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "Plan only up to this migration version.") var to: Int?
        @Flag(name: .long, help: "Run the upgrade and roll it back.") var rehearse = false

        func run() async throws {
            let migrator = try makeMigrator(global)
            let plan = try await reportingErrors { try await migrator.upgradePlan(to: to) }
            print("database at \(version(plan.current)); latest migration \(version(plan.head))")
            for problem in plan.problems { FileHandleOutput.stderr("plan: \(problem)") }
            if !plan.problems.isEmpty { throw ExitCode(1) }
            if plan.pending.isEmpty { print("nothing to apply") }
            for step in plan.pending { print("apply  \(version(step.version))  \(step.name)  (\(step.statements) statements)") }
            print(plan.reachesHead
                  ? "then   re-apply \(migrator.sqlDirectory)/ and make partitions ahead"
                  : "then   leave the api and analytics schemas empty (below the head)")
            guard rehearse else { return }
            let report = try await reportingErrors { try await migrator.up(to: to, rehearse: true) }
            for v in report.applied {
                let d = report.durations[v] ?? .zero
                print("rehearsed \(version(v)) in \(String(format: "%.1f", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)) ms")
            }
            print("rehearsal rolled back: the database is unchanged")
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

private func version(_ v: Int) -> String { String(format: "%04d", v) }

enum FileHandleOutput {
    static func stderr(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
