/// Settings of `quant api` (keys `api.*`, docs/api.md), range-checked here so the server starts
/// only with usable values.
extension QuantSettings {
    public struct API: Sendable {
        public var host: String
        public var port: Int
        public var maxPageSize: Int
        public var maxRangeDays: Int
        public var requireKeyForReads: Bool
        public var keyCacheSeconds: Int
        public var rateLimitPerSecond: Int
        public var rateLimitBurst: Int
        public var idempotencyTtlHours: Int
        public var riskCalculateTimeoutSeconds: Int
        public var streamBufferEvents: Int
        public var streamHeartbeatSeconds: Int
        public var streamMaxClients: Int
        public var streamMaxClientsPerAddress: Int
        public var streamResumeMaxTrades: Int
        public var cacheMaxAgeMs: Int
        public var cacheStaleMs: Int
        public var cacheReloadIntervalMs: Int
        public var heavyRequestsMax: Int
        public var heavyRequestsPerClient: Int
        public var idleTimeoutSeconds: Int
        public var consoleDirectory: String

        init(_ source: ConfigSource) throws {
            host = source.string("api.host")
            port = try source.port("api.port")
            maxPageSize = try source.positiveInt("api.maxPageSize")
            maxRangeDays = try source.positiveInt("api.maxRangeDays")
            let reads = source.string("api.requireKeyForReads").lowercased()
            guard ["true", "false"].contains(reads) else {
                throw ConfigSource.LoadError.invalidValue(
                    key: "api.requireKeyForReads", variable: "QUANT_API_REQUIRE_KEY_FOR_READS", value: reads, expected: "true or false")
            }
            requireKeyForReads = reads == "true"
            keyCacheSeconds = try source.positiveInt("api.keyCacheSeconds")
            rateLimitPerSecond = try source.positiveInt("api.rateLimitPerSecond")
            rateLimitBurst = try source.positiveInt("api.rateLimitBurst")
            idempotencyTtlHours = try source.positiveInt("api.idempotencyTtlHours")
            riskCalculateTimeoutSeconds = try source.positiveInt("api.riskCalculateTimeoutSeconds")
            streamBufferEvents = try source.positiveInt("api.streamBufferEvents")
            streamHeartbeatSeconds = try source.positiveInt("api.streamHeartbeatSeconds")
            streamMaxClients = try source.positiveInt("api.streamMaxClients")
            streamMaxClientsPerAddress = try source.positiveInt("api.streamMaxClientsPerAddress")
            streamResumeMaxTrades = try source.positiveInt("api.streamResumeMaxTrades")
            heavyRequestsMax = try source.positiveInt("api.heavyRequestsMax")
            heavyRequestsPerClient = try source.positiveInt("api.heavyRequestsPerClient")
            idleTimeoutSeconds = try source.positiveInt("api.idleTimeoutSeconds")
            consoleDirectory = source.string("api.consoleDirectory")
            cacheMaxAgeMs = try source.int("api.cacheMaxAgeMs")
            guard cacheMaxAgeMs >= 0 else {
                throw ConfigSource.LoadError.invalidValue(
                    key: "api.cacheMaxAgeMs", variable: "QUANT_API_CACHE_MAX_AGE_MS", value: "\(cacheMaxAgeMs)", expected: "0 (off) or more")
            }
            cacheStaleMs = try source.nonNegativeInt("api.cacheStaleMs")
            cacheReloadIntervalMs = try source.nonNegativeInt("api.cacheReloadIntervalMs")
        }
    }
}
