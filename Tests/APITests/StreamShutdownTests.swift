import Foundation
import TestSupport
import Testing

/// `quant api` as deployed: SIGTERM ends open event streams at once and the process exits 0,
/// rather than waiting forever for streams that never finish on their own.
@Suite struct StreamShutdownTests {
    @Test func sigtermEndsOpenStreamsAndExitsCleanly() async throws {
        let binary = try APITest.quantBinary()
        try await TestDatabase.with { db in
            try await db.migrator().up()
            // Below the ephemeral range and apart from the other private services (RandomPort.swift);
            // a port taken all the same makes the process exit, and another is tried.
            let (process, client) = try await onRandomPort(in: 29_000..<30_000) { port in
                try await Self.startServing(binary, port: port, environment: APITest.environment(for: db))
            }
            defer { if process.isRunning { process.terminate() } }
            let stopped = ContinuousClock.now
            process.terminate()  // SIGTERM
            while process.isRunning, stopped.duration(to: .now) < .seconds(10) { try await Task.sleep(for: .milliseconds(20)) }
            #expect(!process.isRunning, "quant api still runs 10 s after SIGTERM with a stream open")
            #expect(process.terminationReason == .exit && process.terminationStatus == 0)
            // The stream was ended properly: the last chunk of the chunked encoding arrived.
            try await client.wait(for: .seconds(2)) { $0.hasSuffix("0\r\n\r\n") }
        }
    }

    /// `quant api` on `port` with a stream open on it; throws with what it logged if it exits or
    /// does not serve within 60 s (CI runs every suite at once).
    static func startServing(_ binary: String, port: Int, environment: [String: String]) async throws -> (Process, RawHTTPClient) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("stream-shutdown-\(port)-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["api", "--read-only", "--host", "127.0.0.1", "--port", String(port)]
        var environment = environment
        environment["QUANT_LOG_LEVEL"] = "warning"
        environment["QUANT_METRICS_API_PORT"] = "0"
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: TestDatabase.repositoryRoot)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline {
            if let attempt = try? RawHTTPClient(port: port, path: "/api/v1/stream?channels=trades:AAPL,risk:P1"),
               (try? await attempt.wait(for: .seconds(1)) { $0.contains("event: subscribed") }) != nil {
                return (process, attempt)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning { process.terminate() }
        let logged = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw TestDatabase.MissingService(description: "quant api on port \(port) did not serve: \(logged.suffix(2000))")
    }
}
