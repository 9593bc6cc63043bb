import Foundation
import Logging
import PostgresNIO
import Store

/// The processor's committed batches over a few seconds: how many, how many messages and dead
/// letters, and their commit times. `IngestWindowRecorder` writes one per window to
/// `ops.ingest_windows` (migration 0031), the console's batch commit times.
struct IngestWindow: Sendable {
    static let maxSamples = 10_000

    var started: ContinuousClock.Instant
    var batches = 0
    var messages = 0
    var deadLetters = 0
    /// Commit times in milliseconds; past `maxSamples` a window keeps every `stride`-th (the max always).
    private(set) var commitMillis: [Double] = []
    private(set) var maxCommitMillis: Double?

    init(started: ContinuousClock.Instant = .now) { self.started = started }

    mutating func record(commit: Duration, messages: Int, deadLetters: Int) {
        batches += 1
        self.messages += messages
        self.deadLetters += deadLetters
        let millis = Double(commit.components.seconds) * 1000 + Double(commit.components.attoseconds) / 1e15
        maxCommitMillis = max(maxCommitMillis ?? millis, millis)
        if commitMillis.count < Self.maxSamples { commitMillis.append(millis) }
    }

    /// The `q` quantile (0...1) of the commit times, nearest rank; nil without commits.
    func commitMillis(quantile q: Double) -> Double? {
        guard !commitMillis.isEmpty else { return nil }
        let sorted = commitMillis.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// Writes the pipeline's `IngestWindow` every `interval` to `ops.ingest_windows`, busy or idle, so
/// readers see that the processor is alive. A failed write is logged and the window dropped: these
/// rows describe the pipeline, they are not its data.
struct IngestWindowRecorder: Sendable {
    let pipeline: ProcessorPipeline
    let client: PostgresClient
    let consumerGroup: String
    let interval: Duration
    let logger: Logger
    /// host/pid: which processor process wrote a row.
    static let instance = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)"

    func run() async {
        while !Task.isCancelled {
            guard (try? await Task.sleep(for: interval)) != nil else { return }
            let window = await pipeline.takeIngestWindow()
            do {
                // In a task of its own: a stop cancels this loop, and a window taken must still be stored.
                try await Task { try await write(window, endingAt: .now) }.value
            } catch {
                logger.warning("the batch window could not be stored (ops.ingest_windows); it is dropped",
                               metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    func write(_ window: IngestWindow, endingAt end: ContinuousClock.Instant) async throws {
        let span = window.started.duration(to: end)
        let seconds = max(Double(span.components.seconds) + Double(span.components.attoseconds) / 1e18, 0.001)
        let p50 = window.commitMillis(quantile: 0.5), p99 = window.commitMillis(quantile: 0.99), worst = window.maxCommitMillis
        let (batches, messages, deadLetters) = (Int32(window.batches), Int64(window.messages), Int32(window.deadLetters))
        try await client.rows("""
            INSERT INTO ops.ingest_windows (window_end, window_seconds, consumer_group, instance, batches, messages,
                dead_letters, commit_ms_p50, commit_ms_p99, commit_ms_max)
            VALUES (clock_timestamp(), \(seconds), \(consumerGroup), \(Self.instance), \(batches), \(messages),
                \(deadLetters), \(p50), \(p99), \(worst))
            """, logger: logger)
    }
}
