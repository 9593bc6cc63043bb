import ArgumentParser
import OrderBook
import QuantConfig

extension PreTradeLimitTable {
    /// The `limits.*` settings; a bad value stops the command with the setting's name.
    init(settings: QuantSettings) throws {
        let source = settings.source
        do {
            try self.init(
                maxOrderQuantity: source.string("limits.maxOrderQuantity"),
                maxOrderNotional: source.string("limits.maxOrderNotional"),
                maxPriceDeviationPercent: source.string("limits.maxPriceDeviationPercent"),
                instruments: source.string("limits.instruments"))
        } catch {
            throw ValidationError(error.description)
        }
    }
}
