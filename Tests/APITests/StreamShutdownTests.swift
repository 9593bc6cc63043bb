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
            let port = 20_000 + Int.random(in: 0..<20_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["api", "--read-only", "--host", "127.0.0.1", "--port", String(port)]
            var environment = APITest.environment(for: db)
            environment["QUANT_LOG_LEVEL"] = "warning"
            process.environment = environment
            process.currentDirectoryURL = URL(fileURLWithPath: TestDatabase.repositoryRoot)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { process.terminate() } }

            var client: RawHTTPClient?
            let deadline = ContinuousClock.now + .seconds(20)
            while client == nil {
                if let attempt = try? RawHTTPClient(port: port, path: "/api/v1/stream?channels=trades:AAPL,risk:P1"),
                   (try? await attempt.wait(for: .seconds(1)) { $0.contains("event: subscribed") }) != nil {
                    client = attempt
                } else {
                    guard ContinuousClock.now < deadline, process.isRunning else { Issue.record("quant api did not serve"); return }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            let stopped = ContinuousClock.now
            process.terminate()  // SIGTERM
            while process.isRunning, stopped.duration(to: .now) < .seconds(10) { try await Task.sleep(for: .milliseconds(20)) }
            #expect(!process.isRunning, "quant api still runs 10 s after SIGTERM with a stream open")
            #expect(process.terminationReason == .exit && process.terminationStatus == 0)
            // The stream was ended properly: the last chunk of the chunked encoding arrived.
            try await client!.wait(for: .seconds(2)) { $0.hasSuffix("0\r\n\r\n") }
        }
    }
}
