import ArgumentParser
import Foundation
import MarketCore
import OrderBook

/// `quant book …`: the order book as a tool for users.
struct BookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "book",
        abstract: "Run order commands through the in-memory order books.",
        subcommands: [BookReplayCommand.self]
    )
}

/// `quant book replay FILE`: JSON lines in the `orders.commands` format in; every execution report
/// and execution as JSON lines out, then the final L2 depth of every symbol.
struct BookReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay order commands (JSON lines, as on orders.commands) and print reports, executions and final depth.",
        discussion: """
            Each input line is one command, e.g.
              {"type":"new","order_id":"c-1","symbol":"AAPL","side":"buy","order_type":"limit","price":"189.20","quantity":100,"time_in_force":"gtc"}
            plus {"type":"end_of_day"} to expire day orders. Stop, stop_limit and trailing_stop orders wait
            dormant until a trade reaches their trigger. The --max-* options are the pre-trade limits. A line that is not a valid command prints a
            rejected report with reason invalid_command and the parse error. See docs/orderbook.md.
            """
    )

    @Argument(help: "File of JSON lines, or - for standard input.") var file: String
    @Option(help: "Tick size for symbols not in --instruments.") var tickSize: String = "0.01"
    @Option(help: "Lot size for symbols not in --instruments.") var lotSize: Int64 = 1
    @Option(help: "JSON file: [{\"symbol\":\"AAPL\",\"tick_size\":\"0.01\",\"lot_size\":1}, ...]; other symbols use the defaults.")
    var instruments: String?
    @Option(help: "Self-trade prevention by account: none, cancel-resting or cancel-incoming.") var stp: String = "none"
    @Option(help: "Post-only orders that would cross: reject or reprice.") var postOnly: String = "reject"
    @Option(help: "Levels per side in the final depth.") var depth: Int = 10
    @Option(help: "Pre-trade limit: largest quantity of one order.") var maxQuantity: String = ""
    @Option(help: "Pre-trade limit: largest price × quantity of one order.") var maxNotional: String = ""
    @Option(help: "Pre-trade limit: largest distance of a limit price from the last trade, in percent.")
    var maxDeviationPercent: String = ""
    @Option(help: "Per-symbol limits SYMBOL:maxQuantity:maxNotional:maxDeviationPercent, comma-separated.")
    var instrumentLimits: String = ""
    @Option(help: "Closed orders whose ids are still refused as duplicates (processor.closedOrderMemory: the processor keeps this many per commands partition).")
    var closedOrderMemory: Int = MatchingEngine.defaultClosedOrderMemory

    struct InstrumentEntry: Decodable {
        var symbol: Symbol
        var tickSize: Price
        var lotSize: Quantity

        enum CodingKeys: String, CodingKey {
            case symbol
            case tickSize = "tick_size"
            case lotSize = "lot_size"
        }
    }

    func run() throws {
        guard let tick = Price(tickSize), tick.units > 0 else { throw ValidationError("--tick-size must be a positive decimal") }
        guard lotSize > 0 else { throw ValidationError("--lot-size must be positive") }
        guard closedOrderMemory >= 0 else { throw ValidationError("--closed-order-memory must not be negative") }
        let stpPolicy: SelfTradePrevention =
            switch stp {
            case "none": .none
            case "cancel-resting": .cancelResting
            case "cancel-incoming": .cancelIncoming
            default: throw ValidationError("--stp must be none, cancel-resting or cancel-incoming")
            }
        let postOnlyPolicy: PostOnlyPolicy =
            switch postOnly {
            case "reject": .reject
            case "reprice": .reprice
            default: throw ValidationError("--post-only must be reject or reprice")
            }
        var known: [Instrument] = []
        if let instruments {
            let entries = try JSONDecoder().decode([InstrumentEntry].self, from: try Data(contentsOf: URL(fileURLWithPath: instruments)))
            for entry in entries {
                guard entry.tickSize.units > 0, entry.lotSize.value > 0 else {
                    throw ValidationError("instrument \(entry.symbol): tick and lot sizes must be positive")
                }
                known.append(Instrument(symbol: entry.symbol, tickSize: entry.tickSize, lotSize: entry.lotSize))
            }
        }
        let limits: PreTradeLimitTable
        do {
            limits = try PreTradeLimitTable(
                maxOrderQuantity: maxQuantity, maxOrderNotional: maxNotional, maxPriceDeviationPercent: maxDeviationPercent,
                instruments: instrumentLimits)
        } catch {
            throw ValidationError(error.description)
        }
        var engine = MatchingEngine(
            instruments: known,
            defaultInstrument: Instrument(symbol: Symbol("DEFAULT")!, tickSize: tick, lotSize: Quantity(lotSize)),
            configuration: BookConfiguration(selfTradePrevention: stpPolicy, postOnlyPolicy: postOnlyPolicy), limits: limits,
            closedOrderMemory: closedOrderMemory)

        let input = file == "-" ? FileHandle.standardInput : try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var output = JSONLinesWriter(encoder: encoder)
        var lineNumber = 0
        for line in try input.readToEnd().map({ $0.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) }) ?? [] {
            lineNumber += 1
            let text = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            if text.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            do {
                let message = try decoder.decode(OrderCommandMessage.self, from: Data(text))
                for event in engine.handle(message) { try output.write(event) }
            } catch let error as DecodingError {
                try output.write(InvalidLine(line: lineNumber, error: Self.describe(error)))
            }
        }
        for book in engine.depth(levels: depth) { try output.write(book) }
        output.flush()
    }

    /// A rejected report for a line that is not a command; it never reaches a book.
    struct InvalidLine: Encodable {
        var type = "execution_report"
        var status = "rejected"
        var reason = Reason.invalidCommand.description
        var line: Int
        var error: String
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            (context.codingPath.map(\.stringValue).joined(separator: ".") + " " + context.debugDescription)
                .trimmingCharacters(in: .whitespaces)
        @unknown default: "\(error)"
        }
    }
}

/// Buffers JSON lines and writes them to standard output in large chunks.
struct JSONLinesWriter {
    let encoder: JSONEncoder
    var buffer = Data()

    mutating func write(_ value: some Encodable) throws {
        buffer.append(try encoder.encode(value))
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        FileHandle.standardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
