import MarketCore

/// Daily closing prices per symbol, e.g. read from the long-format CSV `date,symbol,close`.
public struct PriceHistory: Sendable {
    /// Closes per symbol, ordered by date, one per date.
    public private(set) var closes: [Symbol: [(date: CivilDate, close: Double)]]

    /// Builds the history; a later row for the same symbol and date replaces an earlier one.
    public init(rows: [(date: CivilDate, symbol: Symbol, close: Double)]) throws(RiskError) {
        var bySymbol: [Symbol: [CivilDate: Double]] = [:]
        for row in rows {
            try RiskError.require("close of \(row.symbol) on \(row.date)", row.close, "> 0") { $0 > 0 }
            bySymbol[row.symbol, default: [:]][row.date] = row.close
        }
        closes = bySymbol.mapValues { series in
            series.sorted { $0.key < $1.key }.map { (date: $0.key, close: $0.value) }
        }
    }

    /// Parses long-format CSV with a header containing `date,symbol,close` (in any order; other
    /// columns ignored). Dates are `YYYY-MM-DD`; closes plain decimals.
    public static func parseCSV(_ text: String) throws(RiskError) -> PriceHistory {
        let table = try DelimitedText(text, requiredColumns: ["date", "symbol", "close"])
        var rows: [(date: CivilDate, symbol: Symbol, close: Double)] = []
        rows.reserveCapacity(table.rows.count)
        for row in table.rows {
            let dateText = try row.required("date")
            guard let date = CivilDate(dateText) else {
                throw .malformedInput(line: row.line, reason: "date is not YYYY-MM-DD: \(dateText)")
            }
            let symbolText = try row.required("symbol")
            guard let symbol = Symbol(symbolText) else {
                throw .malformedInput(line: row.line, reason: "invalid symbol: \(symbolText)")
            }
            let close = try row.number("close")
            guard close > 0 else { throw .malformedInput(line: row.line, reason: "close must be > 0") }
            rows.append((date, symbol, close))
        }
        guard !rows.isEmpty else { throw .emptyHistory }
        return try PriceHistory(rows: rows)
    }

    /// The last close of `symbol` on or before `date`.
    public func close(of symbol: Symbol, onOrBefore date: CivilDate) -> Double? {
        guard let series = closes[symbol] else { return nil }
        return series.last { $0.date <= date }?.close
    }

    /// The latest date on which every one of `symbols` has a close.
    public func lastCommonDate(of symbols: [Symbol]) throws(RiskError) -> CivilDate {
        guard let last = try commonDates(of: symbols).last else {
            throw .missingPrices(symbol: symbols.map(\.rawValue).joined(separator: ","))
        }
        return last
    }

    /// Daily log returns of `symbols` on the dates where all of them have a close (dates where any
    /// is missing are skipped, so a return may span a gap), keeping the last `lookback` returns
    /// that end on or before `asOf`.
    public func logReturns(of symbols: [Symbol], lookback: Int, asOf: CivilDate? = nil) throws(RiskError) -> FactorReturns {
        guard lookback >= 1 else { throw .invalidParameter(name: "lookback", value: Double(lookback), requirement: ">= 1") }
        var dates = try commonDates(of: symbols)
        if let asOf { dates = dates.filter { $0 <= asOf } }
        guard dates.count >= 2 else { throw .historyTooShort(needed: 2, available: dates.count) }
        let used = Array(dates.suffix(lookback + 1))
        let lookups: [[CivilDate: Double]] = symbols.map { symbol in
            Dictionary(uniqueKeysWithValues: closes[symbol]!.map { ($0.date, $0.close) })
        }
        var rows: [[Double]] = []
        rows.reserveCapacity(used.count - 1)
        for index in 1..<used.count {
            rows.append(lookups.map { Math.log($0[used[index]]! / $0[used[index - 1]]!) })
        }
        return FactorReturns(symbols: symbols, dates: Array(used.dropFirst()), returns: rows)
    }

    private func commonDates(of symbols: [Symbol]) throws(RiskError) -> [CivilDate] {
        guard !closes.isEmpty else { throw .emptyHistory }
        var common: Set<CivilDate>?
        for symbol in symbols {
            guard let series = closes[symbol], !series.isEmpty else { throw .missingPrices(symbol: symbol.rawValue) }
            let dates = Set(series.map(\.date))
            common = common.map { $0.intersection(dates) } ?? dates
        }
        return (common ?? []).sorted()
    }
}
