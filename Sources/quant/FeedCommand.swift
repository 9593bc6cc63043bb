import ArgumentParser
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
    @Option(help: "Replay this CSV of quotes or trades instead of generating.")
    var csv: String?
    @Option(help: "Prefix of the topics (as processor.topicPrefix).")
    var topicPrefix: String?
    @Option(help: ArgumentHelp(
        "Milliseconds between the chunks a paced feed hands to the producer.",
        discussion: "Each chunk becomes one batch per partition on the broker. The local memory broker (Tansu 0.6) lists every batch a partition holds on each fetch, so long runs use fewer, larger chunks (docs/benchmarks.md, Soak)."))
    var chunkMs: Int = 50

    func run() async throws {
        guard chunkMs > 0 else { throw ValidationError("--chunk-ms must be positive") }
        let settings = try global.settings()
        let prefix = topicPrefix ?? settings.processor.topicPrefix
        var producerConfiguration = try settings.kafkaProducer(clientSuffix: "feed")
        producerConfiguration.lingerMilliseconds = 5
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: global.logger("quant.feed", settings: settings))
        var source = try makeSource(prefix: prefix)
        let started = ContinuousClock.now
        let deadline = duration.map { started + .milliseconds(Int($0 * 1000)) }
        let limit = count ?? Int.max
        var sent = 0
        var lastReport = started
        let chunk = rate == 0 ? 2_000 : max(1, rate * chunkMs / 1_000)
        while sent < limit {
            if let deadline, ContinuousClock.now >= deadline { break }
            var records: [KafkaProducerRecord] = []
            for _ in 0..<min(chunk, limit - sent) {
                guard let m = source.next() else { break }
                records.append(KafkaProducerRecord(topic: m.topic, key: Array(m.key.utf8), value: m.value))
            }
            if records.isEmpty { break }
            _ = try await producer.sendAll(records)
            sent += records.count
            if rate > 0 {
                let due = started + .milliseconds(Int(Double(sent) / Double(rate) * 1000))
                if due > .now { try await Task.sleep(until: due) }
            }
            if lastReport.duration(to: .now) >= .seconds(1) {
                lastReport = .now
                report(sent: sent, since: started, final: false)
            }
        }
        await producer.shutdown()
        report(sent: sent, since: started, final: true)
    }

    func report(sent: Int, since started: ContinuousClock.Instant, final: Bool) {
        let seconds = max(0.001, Double(started.duration(to: .now).components.attoseconds) / 1e18 + Double(started.duration(to: .now).components.seconds))
        let line = String(format: "feed: %d messages in %.1f s (%.0f/s)%@", sent, seconds, Double(sent) / seconds, final ? "" : "\r")
        FileHandle.standardError.write(Data((final ? line + "\n" : line).utf8))
    }

    func makeSource(prefix: String) throws -> FeedSource {
        if let csv {
            return try .csv(CSVMarketReplay(path: csv, prefix: prefix))
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
        let market = SyntheticMarket(
            symbols: parsed, mix: .init(quotes: weights[0], trades: weights[1], orders: weights[2]),
            seed: seed, orderPrefix: orderPrefix ?? "feed-\(Int(Date().timeIntervalSince1970))-")
        return .synthetic(market, prefix: prefix)
    }
}

/// Where `quant feed` takes its messages from.
enum FeedSource {
    case synthetic(SyntheticMarket, prefix: String)
    case csv(CSVMarketReplay)

    mutating func next() -> SyntheticMarket.Message? {
        switch self {
        case .synthetic(var market, let prefix):
            var m = market.next(at: Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000)))
            m.topic = prefix + m.topic
            self = .synthetic(market, prefix: prefix)
            return m
        case .csv(var replay):
            let m = replay.next()
            self = .csv(replay)
            return m
        }
    }
}

/// Reads a CSV of quotes or trades (chosen by its header) and turns each line into a message.
/// Lines that do not parse are reported on stderr and skipped.
struct CSVMarketReplay {
    let lines: [Substring]
    let columns: [String: Int]
    let isQuotes: Bool
    let prefix: String
    var index = 1

    init(path: String, prefix: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read \(path)") }
        lines = text.split(whereSeparator: \.isNewline)
        guard let header = lines.first else { throw ValidationError("\(path) is empty") }
        columns = Dictionary(uniqueKeysWithValues: header.split(separator: ",").enumerated().map {
            ($1.trimmingCharacters(in: .whitespaces).lowercased(), $0)
        })
        isQuotes = columns["bid"] != nil || columns["ask"] != nil
        guard columns["ts"] != nil, columns["symbol"] != nil, isQuotes || (columns["price"] != nil && columns["size"] != nil) else {
            throw ValidationError("\(path): header must name ts,symbol and bid,ask (quotes) or price,size (trades)")
        }
        self.prefix = prefix
    }

    mutating func next() -> SyntheticMarket.Message? {
        while index < lines.count {
            let fields = lines[index].split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            index += 1
            func field(_ name: String) -> String? { columns[name].flatMap { $0 < fields.count ? fields[$0] : nil } }
            guard let symbol = field("symbol").flatMap(Symbol.init), let ts = field("ts").flatMap({ Timestamp(rfc3339: $0) }) else {
                FileHandle.standardError.write(Data("feed: skipping line \(index): bad ts or symbol\n".utf8))
                continue
            }
            if isQuotes {
                let q = QuoteMessage(
                    symbol: symbol, ts: ts, bid: field("bid").flatMap { Price($0) }, ask: field("ask").flatMap { Price($0) },
                    bidSize: field("bid_size").flatMap { Int64($0) } ?? 0, askSize: field("ask_size").flatMap { Int64($0) } ?? 0)
                return .init(topic: prefix + "md.quotes", key: symbol.rawValue, value: MessageEncoder.quote(q))
            }
            guard let price = field("price").flatMap({ Price($0) }), let size = field("size").flatMap({ Int64($0) }) else {
                FileHandle.standardError.write(Data("feed: skipping line \(index): bad price or size\n".utf8))
                continue
            }
            let t = TradePrintMessage(symbol: symbol, ts: ts, price: price, size: size)
            return .init(topic: prefix + "md.trades", key: symbol.rawValue, value: MessageEncoder.tradePrint(t))
        }
        return nil
    }
}
