import Foundation
import Kafka
import MarketCore
import MarketMessages

/// `quant feed`'s loop: takes messages from a source and hands them to the producer in chunks
/// every `chunkMilliseconds`, paced to `rate` per second (0: as fast as possible), reporting the
/// rate on stderr once a second.
public struct MarketFeed: Sendable {
    public var source: FeedSource
    public var rate: Int
    public var chunkMilliseconds: Int
    /// Where each delivered message is recorded with its place in the log, if anywhere.
    public var deliveryLog: DeliveryLog?

    public init(source: FeedSource, rate: Int, chunkMilliseconds: Int) {
        (self.source, self.rate, self.chunkMilliseconds) = (source, rate, chunkMilliseconds)
    }

    /// Sends until `count` messages, `duration` or the end of the source; returns how many were sent.
    @discardableResult
    public func run(into producer: KafkaProducer, count: Int?, duration: Duration?) async throws -> Int {
        var source = source
        let started = ContinuousClock.now
        let deadline = duration.map { started + $0 }
        let limit = count ?? Int.max
        var sent = 0
        var lastReport = started
        let chunk = rate == 0 ? 2_000 : max(1, rate * chunkMilliseconds / 1_000)
        while sent < limit {
            if let deadline, ContinuousClock.now >= deadline { break }
            var records: [KafkaProducerRecord] = []
            for _ in 0..<min(chunk, limit - sent) {
                guard let m = source.next() else { break }
                records.append(KafkaProducerRecord(topic: m.topic, key: Array(m.key.utf8), value: m.value))
            }
            if records.isEmpty { break }
            let reports = try await producer.sendAll(records)
            deliveryLog?.append(records, reports)
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
        report(sent: sent, since: started, final: true)
        deliveryLog?.close()
        return sent
    }

    func report(sent: Int, since started: ContinuousClock.Instant, final: Bool) {
        let seconds = max(0.001, Double(started.duration(to: .now).components.attoseconds) / 1e18 + Double(started.duration(to: .now).components.seconds))
        let line = String(format: "feed: %d messages in %.1f s (%.0f/s)%@", sent, seconds, Double(sent) / seconds, final ? "" : "\r")
        FileHandle.standardError.write(Data((final ? line + "\n" : line).utf8))
    }
}

/// Where `quant feed` takes its messages from.
public enum FeedSource: Sendable {
    case synthetic(SyntheticMarket, prefix: String, lastMicros: Int64 = 0)
    case csv(CSVMarketReplay)

    public mutating func next() -> SyntheticMarket.Message? {
        switch self {
        case .synthetic(var market, let prefix, let last):
            // Strictly increasing event times, as an exchange stamps them: each message of a run has
            // its own time, so (topic, symbol, ts) names it.
            let now = max(Int64(Date().timeIntervalSince1970 * 1_000_000), last + 1)
            var m = market.next(at: Timestamp(microseconds: now))
            m.topic = prefix + m.topic
            self = .synthetic(market, prefix: prefix, lastMicros: now)
            return m
        case .csv(var replay):
            let m = replay.next()
            self = .csv(replay)
            return m
        }
    }
}

/// `quant feed --delivery-log`: one line per message the broker acknowledged,
/// `topic<TAB>partition<TAB>offset<TAB>message`, appended after each chunk (the messages are one-line JSON).
public final class DeliveryLog: @unchecked Sendable {
    private let handle: FileHandle

    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw DemoError("cannot write \(path)") }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func append(_ records: [KafkaProducerRecord], _ reports: [KafkaDeliveryReport]) {
        var text = ""
        for (record, report) in zip(records, reports) {
            text += "\(report.topicPartition.topic)\t\(report.topicPartition.partition.rawValue)\t\(report.offset.rawValue)\t"
            text += String(decoding: record.value, as: UTF8.self) + "\n"
        }
        handle.write(Data(text.utf8))
    }

    func close() { try? handle.synchronize(); try? handle.close() }
}

/// Reads a CSV of quotes or trades (chosen by its header) and turns each line into a message.
/// Lines that do not parse are reported on stderr and skipped.
public struct CSVMarketReplay: Sendable {
    let lines: [Substring]
    let columns: [String: Int]
    let isQuotes: Bool
    let prefix: String
    var index = 1

    public init(path: String, prefix: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw DemoError("cannot read \(path)") }
        lines = text.split(whereSeparator: \.isNewline)
        guard let header = lines.first else { throw DemoError("\(path) is empty") }
        columns = Dictionary(uniqueKeysWithValues: header.split(separator: ",").enumerated().map {
            ($1.trimmingCharacters(in: .whitespaces).lowercased(), $0)
        })
        isQuotes = columns["bid"] != nil || columns["ask"] != nil
        guard columns["ts"] != nil, columns["symbol"] != nil, isQuotes || (columns["price"] != nil && columns["size"] != nil) else {
            throw DemoError("\(path): header must name ts,symbol and bid,ask (quotes) or price,size (trades)")
        }
        self.prefix = prefix
    }

    public mutating func next() -> SyntheticMarket.Message? {
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
