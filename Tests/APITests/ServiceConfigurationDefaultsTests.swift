@testable import API
import PortfolioValuation
import QuantConfig
import Testing

/// Issue 17: each setting's default is `ConfigKey`'s (what `quant config` shows). A service's
/// configuration struct may have defaults of its own for tests and embedding; they must be the same.
@Suite struct ServiceConfigurationDefaultsTests {
    static func defaults() throws -> QuantSettings { try QuantSettings(ConfigSource.defaults) }

    @Test func theRiskEnginesDefaultsAreTheSettingsDefaults() throws {
        let mine = RiskEngineConfiguration()
        let settings = RiskEngineConfiguration(settings: try Self.defaults().risk)
        #expect(mine.methods == settings.methods)
        #expect(mine.confidences == settings.confidences)
        #expect(mine.horizons == settings.horizons)
        #expect(mine.lookbackDays == settings.lookbackDays)
        #expect(mine.minimumReturns == settings.minimumReturns)
        #expect(mine.monteCarloPaths == settings.monteCarloPaths)
        #expect(mine.seed == settings.seed)
        #expect(mine.riskFreeRate == settings.riskFreeRate)
        #expect(mine.defaultVolatility == settings.defaultVolatility)
        #expect(mine.interval == settings.interval)
        #expect(mine.debounce == settings.debounce)
        #expect(mine.positionsThrottle == settings.positionsThrottle)
        #expect(mine.pnlInterval == settings.pnlInterval)
        #expect(mine.betaIndex == settings.betaIndex)
    }

    @Test func theAPIsDefaultsAreTheSettingsDefaults() throws {
        let mine = APIConfiguration()
        let settings = APIConfiguration(settings: try Self.defaults().api)
        #expect(mine.host == settings.host && mine.port == settings.port)
        #expect(mine.limits.maxPageSize == settings.limits.maxPageSize)
        #expect(mine.limits.maxRangeDays == settings.limits.maxRangeDays)
        #expect(mine.limits.heavyRequestsMax == settings.limits.heavyRequestsMax)
        #expect(mine.limits.heavyRequestsPerClient == settings.limits.heavyRequestsPerClient)
        #expect(mine.access.requireKeyForReads == settings.access.requireKeyForReads)
        #expect(mine.access.keyCacheTTL == settings.access.keyCacheTTL)
        #expect(mine.access.ratePerSecond == settings.access.ratePerSecond)
        #expect(mine.access.burst == settings.access.burst)
        #expect(mine.idempotencyTTL == settings.idempotencyTTL)
        #expect(mine.riskCalculateTimeout == settings.riskCalculateTimeout)
        #expect(mine.streaming.bufferEvents == settings.streaming.bufferEvents)
        #expect(mine.streaming.heartbeat == settings.streaming.heartbeat)
        #expect(mine.streaming.maxClients == settings.streaming.maxClients)
        #expect(mine.streaming.maxClientsPerAddress == settings.streaming.maxClientsPerAddress)
        #expect(mine.cacheMaxAge == settings.cacheMaxAge)
        #expect(mine.cacheStaleFor == settings.cacheStaleFor)
        #expect(mine.cacheReloadInterval == settings.cacheReloadInterval)
        #expect(mine.idleTimeoutSeconds == settings.idleTimeoutSeconds)
    }
}
