import ArgumentParser
import Demo
import Foundation
import Kafka
import MarketCore
import MarketMessages

/// `quant feed`: realistic synthetic market data and order flow, or a CSV replay, into Kafka.
struct FeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed",
        abstract: "Publish synthetic quotes, trade prints and order commands (or replay a CSV of quotes or trades) to Kafka.",
        discussion: """
            Synthetic: random-walk mids per symbol, spreads of 1-2 ticks, prints at the touch, and orders around the touch \
            (60% limit orders near the best prices, 30% cancels, 10% marketable). Messages are keyed by symbol.
            CSV replay: a header line names the columns; quotes need ts,symbol,bid,ask[,bid_size,ask_size], trades ts,symbol,price,size.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Messages per second; 0 means as fast as possible.")
    var rate: Int = 1_000
    @Option(help: "Stop after this many messages (default: run until interrupted).")
    var count: Int?
    @Option(help: "Stop after this many seconds.")
    var duration: Double?
    @Option(help: "Symbols and starting prices, e.g. AAPL:190,MSFT:410.")
    var symbols: String = "AAPL:190,MSFT:410,GOOG:170,AMZN:180,NVDA:130"
    @Option(help: "Relative weights quotes:trades:orders.")
    var mix: String = "6:2:2"
    @Option(help: "Seed of the synthetic stream (the same seed gives the same messages).")
    var seed: UInt64 = 42
    @Option(help: "Prefix of generated order ids (default: feed-<start time>-, so runs never reuse ids; the books remember every id).")
    var orderPrefix: String?
    @Option(help: ArgumentHelp(
        "Accounts new orders are sent for, drawn at random per order: a comma list, an empty item for none.",
        discussion: "--accounts desk-tech,,,, sends one order in five for desk-tech (an account of trading.accounts) and the rest as market flow without an account."))
    var accounts: String?
    @Flag(help: "Send a third of the limit orders as DAY orders (they expire at their session's close).")
    var dayOrders = false
    @Option(help: "Replay this CSV of quotes or trades instead of generating.")
    var csv: String?
    @Option(help: "Prefix of the topics (as processor.topicPrefix).")
    var topicPrefix: String?
    @Option(help: ArgumentHelp(
        "Milliseconds between the chunks a paced feed hands to the producer.",
        discussion: "Each chunk becomes one batch per partition on the broker. The local memory broker (Tansu 0.6) lists every batch a partition holds on each fetch, so long runs use fewer, larger chunks (docs/benchmarks.md, Soak)."))
    var chunkMs: Int = 50
    @Option(help: ArgumentHelp(
        "Append one line per delivered message to this file: topic, partition, offset and the message, tab-separated.",
        discussion: "What the broker acknowledged, for a checker that compares it with what the pipeline stored (scripts/chaos)."))
    var deliveryLog: String?

    func run() async throws {
        guard chunkMs > 0 else { throw ValidationError("--chunk-ms must be positive") }
        let settings = try global.settings()
        let prefix = topicPrefix ?? settings.processor.topicPrefix
        var producerConfiguration = try settings.kafkaProducer(clientSuffix: "feed")
        producerConfiguration.lingerMilliseconds = 5
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: global.logger("quant.feed", settings: settings))
        let source = try makeSource(prefix: prefix)
        var feed = MarketFeed(source: source, rate: rate, chunkMilliseconds: chunkMs)
        if let deliveryLog { feed.deliveryLog = try DeliveryLog(path: deliveryLog) }
        try await feed.run(
            into: producer, count: count, duration: duration.map { .milliseconds(Int($0 * 1000)) })
        await producer.shutdown()
    }

    func makeSource(prefix: String) throws -> FeedSource {
        if let csv {
            return .csv(try CSVMarketReplay(path: csv, prefix: prefix))
        }
        let parsed = try symbols.split(separator: ",").map { item -> (Symbol, Price) in
            let parts = item.split(separator: ":")
            guard parts.count == 2, let symbol = Symbol(String(parts[0])), let price = Price(parts[1]), price.units > 0 else {
                throw ValidationError("--symbols: expected SYMBOL:PRICE items, got '\(item)'")
            }
            return (symbol, price)
        }
        let weights = mix.split(separator: ":").compactMap { Int($0) }
        guard weights.count == 3, weights.allSatisfy({ $0 >= 0 }), weights.reduce(0, +) > 0 else {
            throw ValidationError("--mix: expected three non-negative weights quotes:trades:orders")
        }
        var market = SyntheticMarket(
            symbols: parsed, mix: .init(quotes: weights[0], trades: weights[1], orders: weights[2]),
            seed: seed, orderPrefix: orderPrefix ?? "feed-\(Int(Date().timeIntervalSince1970))-")
        market.dayOrders = dayOrders
        if let accounts {
            market.accounts = accounts.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard market.accounts.allSatisfy({ $0.isEmpty || $0.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F } && $0.utf8.count <= 64 }) else {
                throw ValidationError("--accounts: accounts are 1-64 printable ASCII characters without spaces")
            }
        }
        return .synthetic(market, prefix: prefix)
    }
}
