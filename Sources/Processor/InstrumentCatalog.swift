import Foundation
import Logging
import MarketCore
import PostgresNIO

/// Reads `market.instruments` into core `Instrument`s (tick and lot sizes, option terms).
public enum InstrumentCatalog {
    public static func load(client: PostgresClient, logger: Logger) async throws -> [Instrument] {
        let rows = try await client.rows("""
            SELECT symbol, kind, currency, tick_size::text, lot_size, multiplier::text
            FROM market.instruments WHERE active ORDER BY symbol
            """, logger: logger)
        var result: [Instrument] = []
        for (symbol, kind, currency, tick, lot, multiplier) in try rows.map({ try $0.decode((String, String, String, String, Int64, String).self) }) {
            guard let symbol = Symbol(symbol), let tickSize = Price(tick), let kind = Instrument.Kind(rawValue: kind) else {
                logger.warning("skipping unusable instrument", metadata: ["symbol": "\(symbol)"])
                continue
            }
            let multiplierUnits = Price(multiplier)?.units ?? Price.scale
            result.append(Instrument(
                symbol: symbol, kind: kind, currency: currency.trimmingCharacters(in: .whitespaces), tickSize: tickSize,
                lotSize: Quantity(lot), multiplier: max(1, multiplierUnits / Price.scale)))
        }
        return result
    }
}
