import Foundation
import Store

/// A private PostgreSQL cluster (scripts/stack with its own folder and port) that a test may stop
/// and start without disturbing the shared local stack the other tests use.
public struct PrivatePostgres: Sendable {
    public let folder: String
    public let port: Int

    /// A new cluster on a random port (`onRandomPort`); a port taken all the same (PostgreSQL:
    /// "Address already in use") costs a retry on another, with a fresh folder.
    public init() async throws {
        self = try await onRandomPort(in: 21_000..<25_000) { port in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quant-pg-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
            let candidate = PrivatePostgres(folder: folder, port: port)
            do {
                try await candidate.stack("pg-up")
                return candidate
            } catch {
                candidate.remove()
                throw error
            }
        }
    }

    private init(folder: String, port: Int) {
        self.folder = folder
        self.port = port
    }

    /// The owner's URL, with the password `scripts/stack` made for this cluster.
    public var url: DatabaseURL {
        get throws { try DatabaseURL("postgres://quant@127.0.0.1:\(port)/quant", passwordFile: passwordFile) }
    }

    /// The owner's password file (for a `quant` process started against this cluster).
    public var passwordFile: String { "\(folder)/local/secrets/quant" }

    public func stack(_ action: String) async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["QUANT_STACK_DIR"] = "\(folder)/local"
        environment["QUANT_PG_PORT"] = String(port)
        let status = await runToCompletion("/bin/bash", ["\(TestDatabase.repositoryRoot)/scripts/stack", action], environment: environment)
        guard status == 0 else {
            // scripts/stack's own output goes to /dev/null (pg_ctl's daemon would hold a pipe open):
            // the server log says why PostgreSQL did not start.
            let log = (try? String(contentsOfFile: "\(folder)/local/pg/server.log", encoding: .utf8)) ?? ""
            let tail = log.split(separator: "\n").suffix(4).joined(separator: "\n")
            throw TestDatabase.MissingService(description: "scripts/stack \(action) failed (\(status)) for the private cluster on port \(port)\(tail.isEmpty ? "" : ":\n" + tail)")
        }
    }

    public func remove() {
        var environment = ProcessInfo.processInfo.environment
        environment["QUANT_STACK_DIR"] = "\(folder)/local"
        environment["QUANT_PG_PORT"] = String(port)
        _ = runToCompletionBlocking("/bin/bash", ["\(TestDatabase.repositoryRoot)/scripts/stack", "down"], environment: environment)
        try? FileManager.default.removeItem(atPath: folder)
    }
}

