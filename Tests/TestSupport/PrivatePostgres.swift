import Foundation
import Store

/// A private PostgreSQL cluster (scripts/stack with its own folder and port) that a test may stop
/// and start without disturbing the shared local stack the other tests use.
public struct PrivatePostgres: Sendable {
    public let folder: String
    public let port: Int

    public init() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("quant-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        port = 56_000 + Int.random(in: 0..<900)
        try await stack("pg-up")
    }

    public var url: DatabaseURL { get throws { try DatabaseURL("postgres://quant@127.0.0.1:\(port)/quant") } }

    public func stack(_ action: String) async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["QUANT_STACK_DIR"] = "\(folder)/local"
        environment["QUANT_PG_PORT"] = String(port)
        let status = await runToCompletion("/bin/bash", ["\(TestDatabase.repositoryRoot)/scripts/stack", action], environment: environment)
        guard status == 0 else {
            throw TestDatabase.MissingService(description: "scripts/stack \(action) failed (\(status)) for the private cluster")
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

