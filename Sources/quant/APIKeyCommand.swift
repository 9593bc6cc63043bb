import API
import ArgumentParser
import Foundation
import PostgresNIO
import Store

/// `quant api-key create | list | revoke`: the keys of the REST API (docs/api.md, "API keys").
/// Only the SHA-256 of a secret is stored; `create` prints the secret once.
struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-key",
        abstract: "Create, list or revoke REST API keys (stored hashed in ops.api_keys).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print its secret (shown only this once).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "A name that says whose key it is (1-100 characters).") var name: String
        @Option(help: "read, or write (may also read).") var scope: APIKeyScope = .read
        @Option(name: .customLong("account"),
                help: "An account a write key trades for (repeat for several; '*' for every account). Without one it sends no orders.")
        var accounts: [String] = []

        func run() async throws {
            let created = try await withStore(global) { [accounts] in try await $0.create(name: name, scope: scope, accounts: accounts) }
            print(created.secret)
            let trades = created.record.scopes.contains("write")
                ? ", trades for " + (created.record.accounts.isEmpty ? "no account" : created.record.accounts.joined(separator: ",")) : ""
            FileHandleOutput.stderr("api-key \(created.record.id) '\(created.record.name)' scopes \(created.record.scopes.joined(separator: ","))\(trades): keep the secret above, it is not stored")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let keys = try await withStore(global) { try await $0.list() }
            print("id     name                  prefix       scopes      accounts         created                      revoked                      last_used")
            for k in keys {
                print([String(k.id).padding(6), k.name.padding(21), k.prefix.padding(12), k.scopes.joined(separator: ",").padding(11),
                       (k.accounts.isEmpty ? "-" : k.accounts.joined(separator: ",")).padding(16),
                       k.createdAt.padding(28), (k.revokedAt ?? "-").padding(28), k.lastUsedAt ?? "-"].joined(separator: " "))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a live key by id or name; running APIs refuse it within api.keyCacheSeconds.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The key's id or name.") var key: String

        func run() async throws {
            guard try await withStore(global, { try await $0.revoke(key) }) else {
                FileHandleOutput.stderr("api-key: no live key with id or name '\(key)'")
                throw ExitCode(1)
            }
            print("revoked \(key)")
        }
    }

    /// Runs `body` with a store on a one-connection pool; database errors print the server's message.
    static func withStore<T: Sendable>(_ global: GlobalOptions, _ body: @escaping @Sendable (APIKeyStore) async throws -> T) async throws -> T {
        let settings = try global.settings()
        let logger = global.logger("quant.api-key", settings: settings)
        var pooled = settings
        pooled.database.poolSize = 1
        let client = try PostgresClient.fromSettings(pooled, applicationName: "quant-api-key", logger: logger)
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { await client.run(); return nil }
                defer { group.cancelAll() }
                return try await body(APIKeyStore(database: ReaderDatabase(client: client, logger: logger)))
            }
        } catch let failure as APIKeyStore.Failure {
            FileHandleOutput.stderr("api-key: \(failure)")
            throw ExitCode(1)
        } catch let error where !(error is ExitCode) {
            FileHandleOutput.stderr("api-key: \(PostgresErrorText.describe(error))")
            throw ExitCode(2)
        }
    }
}

extension APIKeyScope: ExpressibleByArgument {}

private extension String {
    func padding(_ width: Int) -> String { padding(toLength: max(width, count), withPad: " ", startingAt: 0) }
}
