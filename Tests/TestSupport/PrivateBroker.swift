import Foundation

/// A private Tansu broker (scripts/stack with its own folder and port) that a test may restart,
/// losing its memory storage, without disturbing the shared broker.
public struct PrivateBroker: Sendable {
    public let folder: String
    public let port: Int

    public init() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quant-kafka-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        self.folder = folder
        // A random port may still be taken (scripts/stack then refuses it): `onRandomPort` tries another.
        port = try await onRandomPort(in: 25_000..<29_000) { port in
            try await Self.start(folder: folder, port: port)
            return port
        }
    }

    public var brokers: String { "127.0.0.1:\(port)" }

    /// Starts the broker (again), with the standard topics, empty.
    public func restart() async throws { try await Self.start(folder: folder, port: port) }

    private static func start(folder: String, port: Int) async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["QUANT_STACK_DIR"] = "\(folder)/local"
        environment["QUANT_KAFKA_PORT"] = String(port)
        environment["QUANT_TOPIC_PARTITIONS"] = "4"
        let status = await runToCompletion("/bin/bash", ["\(TestDatabase.repositoryRoot)/scripts/stack", "restart-broker"], environment: environment)
        guard status == 0 else { throw TestDatabase.MissingService(description: "scripts/stack restart-broker failed (\(status))") }
    }

    /// With QUANT_KEEP_BROKER_LOGS=<folder>, the broker's log is kept there (start the tests with
    /// RUST_LOG=info for Tansu's group coordinator messages).
    public func remove() {
        if let keep = ProcessInfo.processInfo.environment["QUANT_KEEP_BROKER_LOGS"] {
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            try? FileManager.default.copyItem(atPath: "\(folder)/local/tansu.log", toPath: "\(keep)/tansu-\(port)-\(UUID().uuidString.prefix(4)).log")
        }
        if let pid = try? String(contentsOfFile: "\(folder)/local/tansu.pid", encoding: .utf8), let p = Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(p, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: folder)
    }
}
