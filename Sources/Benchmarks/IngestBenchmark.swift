import Foundation
import Kafka
import Logging
import MarketCore
import MarketMessages
import PipelineContracts
import PostgresNIO
import Processor
import QuantConfig
import Store
import Synchronization

/// `quant bench ingest`: Kafka → committed rows throughput against `psql \copy` of the same rows in
/// the same run, then produce-to-NOTIFY latency at a steady rate. Uses a fresh database and fresh
/// topics on the configured server and broker, and drops the database afterwards.
public struct IngestBenchmark: Sendable {
    /// Quotes for the throughput run.
    public var messages = 500_000
    /// Messages per batch of the processor.
    public var batch = 20_000
    /// Steady rate of the latency run, messages per second.
    public var latencyRate = 10_000
    /// Length of the latency run in seconds (0 skips it).
    public var latencySeconds = 10
    /// Processor instances in one consumer group for the throughput run (each with its own pool).
    public var instances = 1
    /// Keep the benchmark database instead of dropping it.
    public var keep = false
    /// `linger.ms` of the latency run's producer: how long librdkafka waits to fill a batch.
    public var producerLingerMilliseconds = 5

    let settings: QuantSettings
    /// The processor's configuration from `settings`; each run changes its group, topics and batch.
    public var processor: ProcessorSettings
    let logger: Logger

    public init(settings: QuantSettings, processor: ProcessorSettings, logger: Logger) {
        (self.settings, self.processor, self.logger) = (settings, processor, logger)
    }

    static let symbols = (0..<50).map { (Symbol("SYM\($0)")!, Price(whole: Int64(20 + $0 * 7))) }

    public func run() async throws {
        try await BenchmarkDatabase.with(settings: settings, keep: keep, logger: logger) { url, client in
            for (symbol, _) in Self.symbols {
                try await client.query("INSERT INTO market.instruments (symbol, kind) VALUES (\(symbol.rawValue), 'equity')", logger: logger)
            }
            let prefix = "bench\(Int(Date().timeIntervalSince1970))"
            let topics = TopicNames(prefix: prefix + ".")
            // The latency run gets topics of its own, so it never waits behind the throughput backlog.
            let latencyTopics = TopicNames(prefix: prefix + "-latency.")
            let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(brokers: settings.kafka.brokers))
            for topic in topics.consumed + [topics.events] + latencyTopics.consumed + [latencyTopics.events] {
                try await admin.createTopicIfNeeded(topic, partitions: settings.kafka.topicPartitions)
            }
            try await throughput(client: client, url: url, topics: topics, settings: settings, logger: logger)
            if latencySeconds > 0 {
                // Start the latency run from a clean checkpoint, not in the middle of the one the
                // bulk load above triggers.
                _ = try? await client.query("CHECKPOINT", logger: logger)
                try await latency(client: client, url: url, topics: latencyTopics, settings: settings, logger: logger)
            }
        }
    }

    // MARK: throughput

    func throughput(client: PostgresClient, url: DatabaseURL, topics: TopicNames, settings: QuantSettings, logger: Logger) async throws {
        print("== ingest throughput: \(messages) quotes, \(settings.kafka.topicPartitions) partitions, batches of \(batch)")
        var market = SyntheticMarket(symbols: Self.symbols, mix: .quotesOnly, seed: 1)
        let base = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var quotes: [SyntheticMarket.Message] = []
        quotes.reserveCapacity(messages)
        for i in 0..<messages { quotes.append(market.next(at: Timestamp(microseconds: base + Int64(i)))) }

        // Baseline: the identical rows through psql \copy into the same table, in this run.
        var rows = IngestBatch()
        for (i, m) in quotes.enumerated() {
            m.value.withUnsafeBytes { raw in
                if let q = try? MessageDecoder.quote(raw) { rows.append(q, partition: 0, offset: Int64(i)) }
            }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(url.database)-quotes.copy").path
        guard FileManager.default.createFile(atPath: file, contents: Data(rows.quotes.bytes)) else {
            throw BenchmarkError("cannot write \(file)")
        }
        defer { try? FileManager.default.removeItem(atPath: file) }
        let copyStart = ContinuousClock.now
        try runPsql(url: url, command: "\\copy market.quotes (\(rows.quotes.columns.joined(separator: ","))) FROM '\(file)'")
        let copySeconds = seconds(copyStart.duration(to: .now))
        try await client.query("TRUNCATE market.quotes", logger: logger)

        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(brokers: settings.kafka.brokers, clientID: "bench"))
        let produceStart = ContinuousClock.now
        for m in quotes {
            try await producer.enqueue(KafkaProducerRecord(topic: topics.prefixed(m.topic), key: Array(m.key.utf8), value: m.value))
        }
        try await producer.flush(timeoutMilliseconds: 120_000)
        let produceSeconds = seconds(produceStart.duration(to: .now))
        await producer.shutdown()

        var processorSettings = processor
        processorSettings.groupID = "bench-\(UUID().uuidString.prefix(8))"
        processorSettings.topics = topics
        processorSettings.batchMaxMessages = batch
        processorSettings.batchMaxDelay = .milliseconds(200)
        processorSettings.publishEvents = false
        let totalPartitions = topics.consumed.count * settings.kafka.topicPartitions
        let (ingestSeconds, measured, split, batches) = try await withThrowingTaskGroup(of: Void.self) { pools in
            defer { pools.cancelAll() }
            var holders: [PipelineHolder] = []
            var runs: [Task<Void, any Error>] = []
            for i in 0..<max(1, instances) {
                // Each instance gets a pool of its own, as separate processes would.
                let instanceClient = i == 0 ? client : PostgresClient(configuration: url.clientConfiguration(poolSize: 4), backgroundLogger: logger)
                if i > 0 { pools.addTask { await instanceClient.run() } }
                let holder = PipelineHolder()
                holders.append(holder)
                let service = ProcessorService(settings: processorSettings, client: instanceClient, logger: logger)
                runs.append(Task { try await service.run { await holder.set($0) } })
            }
            func owned() async -> [Int] { var o: [Int] = []; for h in holders { o.append(await h.owned()) }; return o }
            func committed() async -> Int { var n = 0; for h in holders { n += await h.committed() }; return n }
            // The clock starts when the group has assigned every partition, to every instance
            // (Tansu's join takes seconds); what was committed before that is not counted.
            while true {
                let now = await owned()
                if now.reduce(0, +) == totalPartitions && !now.contains(0) { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            let split = await owned()
            func batches() async -> Int { var n = 0; for h in holders { n += await h.batches() }; return n }
            let before = await committed()
            let batchesBefore = await batches()
            let ingestStart = ContinuousClock.now
            while await committed() < messages { try await Task.sleep(for: .milliseconds(5)) }
            let elapsed = seconds(ingestStart.duration(to: .now))
            let timedBatches = await batches() - batchesBefore
            for run in runs { run.cancel() }
            for run in runs { try await run.value }
            return (elapsed, messages - before, split, timedBatches)
        }
        let stored = try await scalar(client, "SELECT count(*)::int FROM market.quotes", logger: logger)
        guard stored == messages else { throw BenchmarkError("expected \(messages) rows, found \(stored)") }

        let copyRate = Double(messages) / copySeconds
        let ingestRate = Double(measured) / ingestSeconds
        print(String(format: "psql \\copy (baseline): %.2f s  %9.0f rows/s", copySeconds, copyRate))
        if instances > 1 { print("instances: \(instances) in one group; partitions owned: \(split.map(String.init).joined(separator: " + "))") }
        print(String(format: "pipeline Kafka→rows:    %.2f s  %9.0f msg/s  = %.2f × \\copy  (%d msgs timed, in %d batches)",
                     ingestSeconds, ingestRate, ingestRate / copyRate, measured, batches))
        print(String(format: "(producing them took %.2f s, %.0f msg/s)", produceSeconds, Double(messages) / produceSeconds))
    }

    // MARK: latency

    func latency(client: PostgresClient, url: DatabaseURL, topics: TopicNames, settings: QuantSettings, logger: Logger) async throws {
        print("== produce → NOTIFY latency: \(latencyRate) msg/s for \(latencySeconds) s "
              + "(producer linger.ms \(producerLingerMilliseconds), processor fetch.wait.max.ms \(processor.fetchWaitMaxMilliseconds))")
        var processorSettings = processor
        processorSettings.groupID = "bench-lat-\(UUID().uuidString.prefix(8))"
        processorSettings.topics = topics
        processorSettings.publishEvents = false
        let holder = PipelineHolder()
        let timings = TimingLog()
        let run = Task {
            try await ProcessorService(settings: processorSettings, client: client, logger: logger).run {
                await holder.set($0)
                await $0.observeCommits { timings.add($0) }
            }
        }
        while await holder.owned() == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let alreadyCommitted = await holder.committed()
        timings.clear()

        let tracker = LatencyTracker()
        let listener = Task {
            try await url.withConnection(logger: logger) { connection in
                try await connection.listen(on: QuoteNotice.channel.name) { notifications in
                    for try await n in notifications {
                        await tracker.committed(payload: n.payload, at: Self.nowMicros())
                    }
                }
            }
        }
        try await Task.sleep(for: .milliseconds(300))  // LISTEN is active

        var producerConfiguration = KafkaProducerConfiguration(brokers: settings.kafka.brokers, clientID: "bench-lat")
        producerConfiguration.lingerMilliseconds = producerLingerMilliseconds
        let producer = try KafkaProducer(configuration: producerConfiguration)
        var market = SyntheticMarket(symbols: Self.symbols, mix: .quotesOnly, seed: 2)
        let total = latencyRate * latencySeconds
        let start = ContinuousClock.now
        // 20 ms worth of messages per sleep slice, at most 200 and at least one: at 10k msg/s 200
        // every 20 ms, as a chunked feed sends (`quant feed --chunk-ms`; finer slices multiply the
        // batches Tansu's memory storage scans on each fetch, docs/benchmarks.md), and at low rates
        // one message at a time.
        let tickEvery = min(200, max(1, latencyRate / 50))
        var sent = 0
        while sent < total {
            for _ in 0..<min(tickEvery, total - sent) {
                let now = Self.nowMicros()
                let m = market.next(at: Timestamp(microseconds: now))
                await tracker.produced(symbol: m.key, ts: now)
                try await producer.enqueue(KafkaProducerRecord(topic: topics.prefixed(m.topic), key: Array(m.key.utf8), value: m.value))
                sent += 1
            }
            let due = start + .microseconds(Int64(sent) * 1_000_000 / Int64(latencyRate))
            if due > .now { try await Task.sleep(until: due) }
        }
        try await producer.flush(timeoutMilliseconds: 60_000)
        await producer.shutdown()
        while await holder.committed() - alreadyCommitted < total { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(300))
        listener.cancel()
        run.cancel()
        try await run.value
        let samples = await tracker.latencies().sorted()
        guard !samples.isEmpty else { throw BenchmarkError("no notifications received") }
        func percentile(_ p: Double) -> Double { Double(samples[min(samples.count - 1, Int(Double(samples.count) * p))]) / 1000 }
        print(String(format: "latency over %d quotes: p50 %.1f ms  p99 %.1f ms  p99.9 %.1f ms  max %.1f ms",
                     samples.count, percentile(0.5), percentile(0.99), percentile(0.999), Double(samples.last!) / 1000))
        timings.report(commitWhenCaughtUp: processorSettings.commitWhenCaughtUp, batchMaxDelay: processorSettings.batchMaxDelay)
    }

    // MARK: helpers

    static func nowMicros() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    func scalar(_ client: PostgresClient, _ query: PostgresQuery, logger: Logger) async throws -> Int {
        for try await n in try await client.query(query, logger: logger).decode(Int.self) { return n }
        return 0
    }

    func runPsql(url: DatabaseURL, command: String) throws {
        try Psql.run(url: url, arguments: ["-c", command])
    }
}

extension TopicNames {
    /// The benchmark's topic for a standard topic name.
    func prefixed(_ standard: String) -> String {
        switch standard {
        case "md.quotes": quotes
        case "md.trades": trades
        default: commands
        }
    }
}

/// The pipeline of an in-process processor, for progress checks.
actor PipelineHolder {
    var pipeline: ProcessorPipeline?
    func set(_ p: ProcessorPipeline) { pipeline = p }
    func owned() async -> Int { await pipeline?.ownedPartitions.count ?? 0 }
    func committed() async -> Int { await pipeline?.committedMessages ?? 0 }
    func batches() async -> Int { await pipeline?.committedBatches ?? 0 }
}

/// Matches NOTIFY payloads (latest quote per symbol per batch) to produce times: every quote of
/// that symbol up to the notified one was committed by then.
actor LatencyTracker {
    var pending: [String: [Int64]] = [:]
    var samples: [Int64] = []

    func produced(symbol: String, ts: Int64) { pending[symbol, default: []].append(ts) }

    func committed(payload: String, at now: Int64) {
        guard let quote = QuoteNotice.read(payload), let ts = Timestamp(rfc3339: quote.ts)?.microseconds,
              var queue = pending[quote.symbol]
        else { return }
        var taken = 0
        while taken < queue.count, queue[taken] <= ts {
            samples.append(now - queue[taken])
            taken += 1
        }
        queue.removeFirst(taken)
        pending[quote.symbol] = queue
    }

    func latencies() -> [Int64] { samples }
}


/// The processor's batches during the latency run, to say where a message's time goes: from its
/// produce call to the processor (producer linger, broker, fetch wait), waiting in the open batch,
/// and the commit. Each stage is timed on the batch's first message, the one that waits longest.
final class TimingLog: Sendable {
    private let batches = Mutex<[BatchTiming]>([])
    func add(_ timing: BatchTiming) { batches.withLock { $0.append(timing) } }
    func clear() { batches.withLock { $0.removeAll() } }

    func report(commitWhenCaughtUp: Bool, batchMaxDelay: Duration) {
        let all = batches.withLock { $0 }
        guard !all.isEmpty else { return }
        func line(_ name: String, _ micros: [Int64]) {
            guard !micros.isEmpty else { return print("  \(name): not measured (no Kafka timestamps)") }
            let sorted = micros.sorted()
            func at(_ p: Double) -> Double { Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1000 }
            let label = name.padding(toLength: 44, withPad: " ", startingAt: 0)
            print("  " + label + String(format: " p50 %5.1f ms  p99 %5.1f ms  max %5.1f ms", at(0.5), at(0.99), Double(sorted.last!) / 1000))
        }
        let messages = all.map(\.messages)
        print("where the time went, over \(all.count) batches (\(messages.reduce(0, +) / all.count) messages on average; "
              + "commitWhenCaughtUp \(commitWhenCaughtUp), batchMaxDelay \(batchMaxDelay)), each batch's first message:")
        line("produce → handled (linger, broker, fetch)", all.compactMap { t in
            t.firstProduced.map { t.firstHandled.microseconds - Int64($0.timeIntervalSince1970 * 1_000_000) } })
        line("handled → commit starts (batching)", all.map { $0.commitStarted.microseconds - $0.firstHandled.microseconds })
        line("commit (COPY, offsets, NOTIFY)", all.map { $0.committed.microseconds - $0.commitStarted.microseconds })
    }
}

