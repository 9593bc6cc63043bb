import ArgumentParser
import Benchmarks
import Processor

/// `quant bench ingest` (the benchmark is `IngestBenchmark`): options, settings and the processor
/// configuration they give.
struct BenchIngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "End-to-end ingest throughput vs psql \\copy, and produce-to-NOTIFY latency (release build).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Quotes for the throughput run.")
    var messages = 500_000
    @Option(help: "Messages per batch of the processor.")
    var batch = 20_000
    @Option(help: "Steady rate of the latency run, messages per second.")
    var latencyRate = 10_000
    @Option(help: "Length of the latency run in seconds (0 skips it).")
    var latencySeconds = 10
    @Option(help: "linger.ms of the latency run's producer (quant feed's is 5).")
    var lingerMs = 5
    @Option(help: "fetch.wait.max.ms of the processor's consumer (default: the processor.fetchWaitMaxMs setting).")
    var fetchWaitMs: Int?
    @Option(help: "Processor instances in one consumer group for the throughput run (each with its own pool), to show them splitting the partitions.")
    var instances = 1
    @Option(help: "Keep the benchmark database instead of dropping it.")
    var keep = false

    func run() async throws {
        let (settings, logger) = try global.quietContext("quant.bench")
        var benchmark = IngestBenchmark(settings: settings, processor: try ProcessorSettings(settings: settings), logger: logger)
        (benchmark.messages, benchmark.batch, benchmark.latencyRate) = (messages, batch, latencyRate)
        (benchmark.latencySeconds, benchmark.instances, benchmark.keep) = (latencySeconds, instances, keep)
        benchmark.producerLingerMilliseconds = lingerMs
        if let fetchWaitMs { benchmark.processor.fetchWaitMaxMilliseconds = fetchWaitMs }
        try await benchmark.run()
    }
}
