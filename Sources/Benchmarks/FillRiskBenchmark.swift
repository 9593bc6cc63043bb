import Foundation
import Kafka
import Logging
import PipelineContracts
import PortfolioValuation
import PostgresNIO
import Processor
import QuantConfig
import RiskEngine
import Store

/// `quant bench fill-risk`: the time from a fill's commit to the first stored VaR/ES run of its
/// portfolio that reflects it (issue 18), with the processor and the risk engine running
/// in-process at the configured (by default, the default) settings, on a fresh database seeded as
/// the demo's (`config/demo/seed.sql`), and fresh topics.
///
/// The desk account `desk-tech` (portfolio `tech-long`) buys one AAPL share per fill from market
/// flow, `fillsPerSecond` times a second. A fill's commit time is when the processor's
/// `book_executions` notice covering it arrives; a run reflects the first `k` fills when its stored
/// portfolio value has grown by `k` AAPL prices (the valuation price does not move: no market data
/// arrives during the run), and it arrives with its `risk_metrics` notice.
public struct FillRiskBenchmark: Sendable {
    public var fillsPerSecond = 10
    public var seconds = 30
    /// Keep the benchmark database instead of dropping it.
    public var keep = false

    let settings: QuantSettings
    let processor: ProcessorSettings
    let risk: RiskEngineConfiguration
    let logger: Logger

    public init(settings: QuantSettings, processor: ProcessorSettings, risk: RiskEngineConfiguration, logger: Logger) {
        (self.settings, self.processor, self.risk, self.logger) = (settings, processor, risk, logger)
    }

    static let portfolio = "tech-long"

    public func run() async throws {
        try await BenchmarkDatabase.with(settings: settings, keep: keep, logger: logger) { url, client in
            try Psql.run(url: url, arguments: ["-o", "/dev/null", "-f", "config/demo/seed.sql"])
            let topics = TopicNames(prefix: "bench\(Int(Date().timeIntervalSince1970))-fills.")
            let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(brokers: settings.kafka.brokers))
            for topic in topics.consumed + [topics.events] {
                try await admin.createTopicIfNeeded(topic, partitions: settings.kafka.topicPartitions)
            }
            try await measure(url: url, client: client, topics: topics)
        }
    }

    func measure(url: DatabaseURL, client: PostgresClient, topics: TopicNames) async throws {
        let price = try await lastPrice(client, "AAPL")
        var processorSettings = processor
        processorSettings.groupID = "bench-fills-\(UUID().uuidString.prefix(8))"
        processorSettings.topics = topics
        processorSettings.publishEvents = false
        let recorder = FillRiskRecorder()
        let listener = Task {
            try await url.withConnection(logger: logger) { connection in
                try await connection.listen(on: ExecutionsNotice.channel.name) { executions in
                    try await connection.listen(on: RiskRunNotice.channel.name) { runs in
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                for try await n in executions {
                                    if let notice = ExecutionsNotice.read(n.payload), notice.symbol == "AAPL" {
                                        await recorder.committed(notice.count, at: .now)
                                    }
                                }
                            }
                            group.addTask {
                                for try await n in runs {
                                    if let notice = RiskRunNotice.read(n.payload), notice.portfolioId == Self.portfolio {
                                        await recorder.stored(notice.runId, at: .now)
                                    }
                                }
                            }
                            try await group.waitForAll()
                        }
                    }
                }
            }
        }
        defer { listener.cancel() }
        let holder = PipelineHolder()
        let processorSettingsForRun = processorSettings
        let services = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await ProcessorService(settings: processorSettingsForRun, client: client, logger: logger).run { await holder.set($0) } }
                group.addTask { try await RiskEngineService(client: client, configuration: risk, logger: logger).run() }
                try await group.waitForAll()
            }
        }
        defer { services.cancel() }
        while await holder.owned() == 0 { try await Task.sleep(for: .milliseconds(10)) }
        // The first full cycle gives the value before any fill.
        while await recorder.runCount == 0 { try await Task.sleep(for: .milliseconds(20)) }
        print("== fill → VaR/ES: \(fillsPerSecond) fills/s for \(seconds) s (desk-tech buys AAPL at \(price))")

        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(brokers: settings.kafka.brokers, clientID: "bench-fills"))
        let total = fillsPerSecond * seconds
        let start = ContinuousClock.now
        for i in 0..<total {
            let sell = #"{"type":"new","v":1,"order_id":"s\#(i)","symbol":"AAPL","side":"sell","order_type":"limit","price":"\#(price)","quantity":1}"#
            let buy = #"{"type":"new","v":1,"order_id":"b\#(i)","symbol":"AAPL","side":"buy","order_type":"market","time_in_force":"ioc","quantity":1,"account":"desk-tech"}"#
            for command in [sell, buy] {
                try await producer.enqueue(KafkaProducerRecord(topic: topics.commands, key: Array("AAPL".utf8), value: Array(command.utf8)))
            }
            try await Task.sleep(until: start + .microseconds(Int64(i + 1) * 1_000_000 / Int64(fillsPerSecond)))
        }
        try await producer.flush(timeoutMilliseconds: 30_000)
        await producer.shutdown()

        // Wait for a run that reflects every fill.
        let values = RunValues(client: client, logger: logger)
        let base = try await values.value(of: await recorder.firstRun!)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let last = await recorder.lastRun, try await values.fills(in: last, base: base, price: price) >= total { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        services.cancel()
        let (commits, runs) = await recorder.events()
        var reflected: [(fills: Int, at: ContinuousClock.Instant)] = []
        for (runID, at) in runs.dropFirst() { reflected.append((try await values.fills(in: runID, base: base, price: price), at)) }
        let samples = Self.latencies(total: total, commits: commits, runs: reflected)
        guard samples.count == total else {
            throw BenchmarkError("only \(samples.count) of \(total) fills reached a stored run within 60 s")
        }
        let sorted = samples.sorted()
        func ms(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
        print(String(format: "fill commit → VaR/ES stored, over %d fills in %d runs: p50 %.0f ms  p90 %.0f ms  p99 %.0f ms  max %.0f ms",
                     total, reflected.count, ms(0.5), ms(0.9), ms(0.99), sorted.last! * 1000))
        // The floor: one run after another, as fast as the engine values the portfolio.
        if reflected.count > 1 {
            let span = reflected.first!.at.duration(to: reflected.last!.at)
            let interval = (Double(span.components.seconds) + Double(span.components.attoseconds) / 1e18) / Double(reflected.count - 1)
            print(String(format: "runs every %.0f ms on average; p50 / that: %.2f, p99 / that: %.2f",
                         interval * 1000, ms(0.5) / 1000 / interval, ms(0.99) / 1000 / interval))
        }
    }

    /// Seconds from each fill's commit to the first run that reflects it. `commits`: cumulative
    /// fills committed and when; `runs`: fills a run reflects and when it was stored.
    static func latencies(total: Int, commits: [(count: Int, at: ContinuousClock.Instant)],
                          runs: [(fills: Int, at: ContinuousClock.Instant)]) -> [Double] {
        var result: [Double] = []
        var fill = 1
        var reflectedSoFar = 0
        for run in runs where run.fills > reflectedSoFar {
            while fill <= min(run.fills, total) {
                guard let committed = commits.first(where: { $0.count >= fill }) else { break }
                let d = committed.at.duration(to: run.at)
                result.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
                fill += 1
            }
            reflectedSoFar = run.fills
        }
        return result
    }

    func lastPrice(_ client: PostgresClient, _ symbol: String) async throws -> String {
        let rows = try await client.query(
            "SELECT trim_scale(price)::text FROM market.trades WHERE symbol = \(symbol) ORDER BY ts DESC LIMIT 1", logger: logger)
        for try await price in rows.decode(String.self) { return price }
        throw BenchmarkError("the demo seed has no \(symbol) price")
    }
}

/// What the listener saw, in arrival order.
actor FillRiskRecorder {
    var commits: [(count: Int, at: ContinuousClock.Instant)] = []
    var runs: [(runID: String, at: ContinuousClock.Instant)] = []

    func committed(_ count: Int, at: ContinuousClock.Instant) {
        commits.append(((commits.last?.count ?? 0) + count, at))
    }

    func stored(_ runID: String, at: ContinuousClock.Instant) { runs.append((runID, at)) }

    var runCount: Int { runs.count }
    var firstRun: String? { runs.first?.runID }
    var lastRun: String? { runs.last?.runID }
    func events() -> ([(count: Int, at: ContinuousClock.Instant)], [(runID: String, at: ContinuousClock.Instant)]) { (commits, runs) }
}

/// How many fills a stored run reflects, from its portfolio value.
struct RunValues {
    let client: PostgresClient
    let logger: Logger

    func value(of runID: String) async throws -> Double {
        let rows = try await client.query(
            "SELECT portfolio_value::float8 FROM risk.risk_metrics WHERE run_id = CAST(\(runID) AS text)::uuid LIMIT 1", logger: logger)
        for try await value in rows.decode(Double.self) { return value }
        throw BenchmarkError("run \(runID) has no stored metrics")
    }

    func fills(in runID: String, base: Double, price: String) async throws -> Int {
        let k = (try await value(of: runID) - base) / Double(price)!
        guard abs(k - k.rounded()) < 1e-6 else {
            throw BenchmarkError("run \(runID): the value moved by \(k) AAPL prices, not a whole number: did a price move?")
        }
        return Int(k.rounded())
    }
}
