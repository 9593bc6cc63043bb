import MarketCore
@testable import OrderBook

/// `MatchingEngine`'s client-id rules written naively over `ReferenceMatcher`s: each book keeps a
/// flat list of the orders it remembers, an order counts as closed when the reference no longer
/// holds it after a command (queued in the order of each order's last report), and the remembered
/// closed orders are a plain array, oldest first. No limits; every symbol uses one instrument.
struct ReferenceEngine {
    struct Record {
        var clientID: String
        var id: OrderID
        var closed = false
    }

    struct Book {
        var matcher: ReferenceMatcher
        var records: [Record] = []
        var accepted: UInt64 = 0
    }

    let instrument: Instrument
    let configuration: BookConfiguration
    let memory: Int
    var books: [String: Book] = [:]
    var closed: [(symbol: String, id: OrderID)] = []
    var accounts: [String] = []

    init(instrument: Instrument, configuration: BookConfiguration, memory: Int) {
        self.instrument = instrument
        self.configuration = configuration
        self.memory = memory
    }

    /// Remembered client ids over all books, live and closed.
    var rememberedCount: Int { books.values.reduce(0) { $0 + $1.records.count } }

    var liveCount: Int { books.values.reduce(0) { $0 + $1.matcher.liveIDs.count } }

    mutating func handle(_ message: OrderCommandMessage) -> [OrderEventMessage] {
        let clientID = message.orderID ?? ""
        if message.type == .endOfDay && message.symbol == nil {
            var result: [OrderEventMessage] = []
            for symbol in books.keys.sorted() {
                books[symbol]!.matcher.apply(.endOfDay)
                result += finish(symbol, clientID: "")
            }
            for symbol in books.keys { forgetClosed(symbol) }
            return result
        }
        guard let symbol = message.symbol, Symbol(symbol) != nil else {
            return [.report(ExecutionReportMessage(symbol: message.symbol ?? "", rejecting: clientID, reason: .unknownSymbol, side: message.side))]
        }
        if books[symbol] == nil {
            var own = instrument
            own.symbol = Symbol(symbol)!
            books[symbol] = Book(matcher: ReferenceMatcher(instrument: own, configuration: configuration))
        }
        var book = books.removeValue(forKey: symbol)!
        command(message, clientID: clientID, book: &book)
        books[symbol] = book
        let result = finish(symbol, clientID: clientID)
        if message.type == .endOfDay { forgetClosed(symbol) }
        return result
    }

    mutating func command(_ message: OrderCommandMessage, clientID: String, book: inout Book) {
        if message.type == .endOfDay { return book.matcher.apply(.endOfDay) }
        guard !clientID.isEmpty, clientID.utf8.count <= 64 else { return book.matcher.reject(OrderID(0), reason: .invalidCommand) }
        let record = book.records.first { $0.clientID == clientID }
        switch message.type {
        case .new:
            guard let side = message.side, let type = message.orderType, let quantity = message.quantity else {
                return book.matcher.reject(OrderID(0), side: message.side, reason: .invalidCommand)
            }
            if type.hasLimitPrice && message.price == nil { return book.matcher.reject(OrderID(0), side: side, reason: .invalidPrice) }
            if let record, record.closed {
                return book.matcher.reject(OrderID(0), side: side, price: message.price ?? .zero, reason: .duplicateOrderID)
            }
            let id = record?.id ?? OrderID(book.accepted + 1)
            var owner = OwnerID.none
            if let account = message.account, !account.isEmpty {
                if !accounts.contains(account) { accounts.append(account) }
                owner = OwnerID(UInt32(accounts.firstIndex(of: account)! + 1))
            }
            book.matcher.apply(
                .new(
                    NewOrder(
                        id: id, side: side, type: type, price: type.hasLimitPrice ? message.price! : .zero, quantity: quantity,
                        timeInForce: message.timeInForce ?? .gtc, postOnly: message.postOnly ?? false, owner: owner,
                        trigger: message.trigger)))
            if case .report(let first) = book.matcher.events.first, first.kind == .accepted || first.kind == .dormant {
                book.accepted += 1
                book.records.append(Record(clientID: clientID, id: id))
            }
        case .cancel, .modify:
            guard let record else { return book.matcher.reject(OrderID(0), reason: .unknownOrder) }
            guard !record.closed else { return book.matcher.reject(record.id, reason: .orderClosed) }
            if message.type == .cancel { return book.matcher.apply(.cancel(record.id)) }
            if message.price == nil && message.quantity == nil && message.stopPrice == nil {
                return book.matcher.reject(record.id, reason: .invalidCommand)
            }
            book.matcher.apply(.modify(ModifyOrder(id: record.id, price: message.price, quantity: message.quantity, stopPrice: message.stopPrice)))
        case .endOfDay, .massCancel: break
        }
    }

    /// The command's messages, then the orders it closed queued and the oldest beyond `memory` forgotten.
    mutating func finish(_ symbol: String, clientID: String) -> [OrderEventMessage] {
        let book = books[symbol]!
        func client(_ id: OrderID) -> String { book.records.first { $0.id == id }?.clientID ?? clientID }
        let result: [OrderEventMessage] = book.matcher.events.map { event in
            switch event {
            case .report(let report): .report(ExecutionReportMessage(symbol: symbol, report: report, orderID: client(report.orderID)))
            case .trade(let trade):
                .execution(
                    ExecutionMessage(
                        symbol: symbol, trade: trade, makerOrderID: client(trade.makerOrderID), takerOrderID: client(trade.takerOrderID)))
            }
        }
        // An order closes at the last report of it, once it is no longer live.
        let reports = book.matcher.events.compactMap { if case .report(let report) = $0 { report } else { nil } }
        for (n, report) in reports.enumerated() where !reports[(n + 1)...].contains(where: { $0.orderID == report.orderID }) {
            guard let i = books[symbol]!.records.firstIndex(where: { $0.id == report.orderID && !$0.closed }),
                !books[symbol]!.matcher.isLive(report.orderID)
            else { continue }
            books[symbol]!.records[i].closed = true
            closed.append((symbol, report.orderID))
        }
        while closed.count > memory {
            let oldest = closed.removeFirst()
            books[oldest.symbol]!.records.removeAll { $0.id == oldest.id }
        }
        return result
    }

    mutating func forgetClosed(_ symbol: String) {
        books[symbol]!.records.removeAll { $0.closed }
        closed.removeAll { $0.symbol == symbol }
    }
}

extension ReferenceMatcher {
    /// As `OrderBook.reject`: a live order is described as it stands, anything else by the arguments.
    mutating func reject(_ id: OrderID, side: Side? = nil, price: Price = .zero, reason: Reason) {
        events = []
        if let order = resting.first(where: { $0.id == id }) {
            report(.rejected, reason, id, order.side, order.price, filled: order.filled, leaves: order.remaining)
        } else if let stop = stops.first(where: { $0.id == id }) {
            report(.rejected, reason, id, stop.side, stop.limit, filled: 0, leaves: stop.quantity)
        } else {
            report(.rejected, reason, id, side, price.units, filled: 0, leaves: 0)
        }
    }
}
