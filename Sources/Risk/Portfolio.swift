import MarketCore

/// Positions plus the inputs shared by all of them.
///
/// JSON: `{"asOf": "2025-01-31", "rate": 0.04, "positions": [ … ]}` (see `RiskPosition`); a bare
/// array of positions is accepted by the calculator too. CSV: see `parseCSV(_:)`.
public struct Portfolio: Sendable, Hashable, Codable {
    public var positions: [RiskPosition]
    /// Continuously compounded risk-free rate used to price every option.
    public var rate: Double
    /// Valuation date; nil means the last date on which every risk factor has a close.
    public var asOf: CivilDate?

    public init(positions: [RiskPosition], rate: Double = 0, asOf: CivilDate? = nil) {
        self.positions = positions
        self.rate = rate
        self.asOf = asOf
    }

    private enum CodingKeys: String, CodingKey { case positions, rate, asOf }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        positions = try container.decode([RiskPosition].self, forKey: .positions)
        rate = try container.decodeIfPresent(Double.self, forKey: .rate) ?? 0
        asOf = try container.decodeIfPresent(CivilDate.self, forKey: .asOf)
    }

    /// The distinct risk factors (underlyings), in order of first appearance.
    public var factors: [Symbol] {
        var seen = Set<Symbol>()
        return positions.map(\.factor).filter { seen.insert($0).inserted }
    }

    /// Parses positions CSV. Header columns (any order): `symbol,quantity` required;
    /// `id,multiplier` optional; for options `underlying,right,strike,volatility` and either
    /// `expiry` (YYYY-MM-DD) or `time_to_expiry` (years), optionally `dividend_yield,model`.
    /// A row with an empty `right` is an equity (or future) position.
    public static func parseCSV(_ text: String, rate: Double = 0, asOf: CivilDate? = nil) throws(RiskError) -> Portfolio {
        let table = try DelimitedText(text, requiredColumns: ["symbol", "quantity"])
        var positions: [RiskPosition] = []
        for row in table.rows {
            let symbol = try symbolField(row, "symbol")
            var option: OptionLeg?
            if let rightText = row.optional("right") {
                guard let right = Instrument.OptionRight(rawValue: rightText.lowercased()) else {
                    throw .malformedInput(line: row.line, reason: "right must be call or put: \(rightText)")
                }
                var expiry: CivilDate?
                if let text = row.optional("expiry") {
                    guard let date = CivilDate(text) else {
                        throw .malformedInput(line: row.line, reason: "expiry is not YYYY-MM-DD: \(text)")
                    }
                    expiry = date
                }
                var model = OptionPricingModel.blackScholesMerton
                if let text = row.optional("model") {
                    guard let parsed = OptionPricingModel(rawValue: text.lowercased()) else {
                        throw .malformedInput(line: row.line, reason: "model must be bsm or black76: \(text)")
                    }
                    model = parsed
                }
                option = OptionLeg(
                    underlying: try symbolField(row, "underlying"), right: right, strike: try row.number("strike"),
                    expiry: expiry, timeToExpiry: try row.optionalNumber("time_to_expiry"),
                    volatility: try row.number("volatility"),
                    dividendYield: try row.optionalNumber("dividend_yield") ?? 0, model: model)
            }
            positions.append(RiskPosition(
                id: row.optional("id"), symbol: symbol, quantity: try row.number("quantity"),
                multiplier: try row.optionalNumber("multiplier") ?? 1, option: option))
        }
        return Portfolio(positions: positions, rate: rate, asOf: asOf)
    }

    private static func symbolField(_ row: DelimitedText.Row, _ column: String) throws(RiskError) -> Symbol {
        let text = try row.required(column)
        guard let symbol = Symbol(text) else { throw .malformedInput(line: row.line, reason: "invalid \(column): \(text)") }
        return symbol
    }
}
