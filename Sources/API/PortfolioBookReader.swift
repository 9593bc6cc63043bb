import Hummingbird
import MarketCore
import PostgresNIO
import Risk
import PortfolioValuation

/// A portfolio's current positions valued as the risk engine values them (`RiskInputsReader`
/// and `PortfolioRiskCalculator.valuedBook`: last common close, implied or default volatility),
/// for what the API computes on request: stress tests and hedges. Bounded by the database deadline.
struct PortfolioBookReader: Sendable {
    let database: ReaderDatabase
    let configuration: RiskEngineConfiguration

    var calculator: PortfolioRiskCalculator { PortfolioRiskCalculator(configuration: configuration) }
    var inputs: RiskInputsReader { RiskInputsReader(client: database.client, logger: database.logger) }

    /// 404 for an unknown portfolio; 409 when its positions cannot be valued (none, no prices,
    /// an expired option), with the engine's reason.
    func book(_ portfolioID: String) async throws -> PortfolioRiskCalculator.ValuedBook {
        guard try await database.row("SELECT 1 FROM api.portfolios WHERE portfolio_id = \(portfolioID)", { _ in true }) ?? false else {
            throw Problem.notFound("unknown portfolio \(portfolioID)")
        }
        let reader = inputs
        let read = try await database.withDeadline { try await reader.inputs(portfolioID: portfolioID, lookbackDays: 1) }
        do {
            return try calculator.valuedBook(read)
        } catch {
            throw Problem(.conflict, type: "urn:quant:problem:not-valuable", title: "Portfolio cannot be valued",
                          detail: "portfolio \(portfolioID): \(error.description)")
        }
    }

    /// An instrument's terms as a zero-quantity holding (for a hedge instrument), or nil if unknown.
    func instrument(_ symbol: String) async throws -> HeldInstrument? {
        try await database.row("""
            SELECT i.kind, i.multiplier::float8, i.underlying, u.kind, i.strike::float8, i.expiry::text, i.option_right
            FROM api.instruments i LEFT JOIN api.instruments u ON u.symbol = i.underlying
            WHERE i.symbol = \(symbol)
            """) { row in
            let (kind, multiplier, underlying, underlyingKind, strike, expiry, right) =
                try row.decode((String, Double, String?, String?, Double?, String?, String?).self)
            return HeldInstrument(
                symbol: symbol, quantity: 0, kind: Instrument.Kind(rawValue: kind) ?? .equity, multiplier: multiplier,
                underlying: underlying, underlyingKind: underlyingKind.flatMap(Instrument.Kind.init(rawValue:)), strike: strike,
                expiry: expiry.flatMap { CivilDate($0) }, right: right.flatMap(Instrument.OptionRight.init(rawValue:)))
        }
    }

    /// The latest quote mid of `symbol`, if it has a two-sided quote.
    func mid(_ symbol: String) async throws -> Double? {
        let reader = inputs
        return try await database.withDeadline { try await reader.latestMids(of: [symbol])[symbol] }
    }
}
