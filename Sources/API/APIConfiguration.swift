import QuantConfig
import PortfolioValuation

/// What `buildApplication` needs besides its dependencies: where to listen and the request limits.
public struct APIConfiguration: Sendable {
    public struct Limits: Sendable {
        /// Largest `limit` a list endpoint accepts (and the most bars per request).
        public var maxPageSize: Int
        /// Widest `from`/`to` range of tick and history requests.
        public var maxRangeDays: Int
        /// Hedge and custom stress-test requests at once, in all and per client (`ConcurrencyGate`).
        public var heavyRequestsMax: Int
        public var heavyRequestsPerClient: Int
        public init(maxPageSize: Int = 1000, maxRangeDays: Int = 31, heavyRequestsMax: Int = 4, heavyRequestsPerClient: Int = 2) {
            self.maxPageSize = maxPageSize
            self.maxRangeDays = maxRangeDays
            self.heavyRequestsMax = heavyRequestsMax
            self.heavyRequestsPerClient = heavyRequestsPerClient
        }
    }

    /// API keys and rate limits (`AccessMiddleware`).
    public struct Access: Sendable {
        public var requireKeyForReads: Bool
        /// How long a key lookup is remembered; a revoked key works at most this much longer.
        public var keyCacheTTL: Duration
        public var ratePerSecond: Double
        public var burst: Int
        public init(requireKeyForReads: Bool = false, keyCacheTTL: Duration = .seconds(5),
                    ratePerSecond: Double = 50, burst: Int = 100) {
            self.requireKeyForReads = requireKeyForReads
            self.keyCacheTTL = keyCacheTTL
            self.ratePerSecond = ratePerSecond
            self.burst = burst
        }
    }

    /// `GET /stream` (server-sent events).
    public struct Streaming: Sendable {
        /// Events buffered per client; beyond, the oldest are dropped and the client told how many.
        public var bufferEvents: Int
        public var heartbeat: Duration
        public var maxClients: Int
        /// Clients one address may hold at once, so one address cannot take every slot.
        public var maxClientsPerAddress: Int
        /// Most prints a `trades:` channel catches up on (after `Last-Event-ID` or a drop); beyond, it reloads.
        public var resumeMaxTrades: Int
        public init(bufferEvents: Int = 256, heartbeat: Duration = .seconds(15), maxClients: Int = 1000,
                    maxClientsPerAddress: Int = 20, resumeMaxTrades: Int = 10_000) {
            self.bufferEvents = bufferEvents
            self.heartbeat = heartbeat
            self.maxClients = maxClients
            self.maxClientsPerAddress = maxClientsPerAddress
            self.resumeMaxTrades = resumeMaxTrades
        }
    }

    public var host: String
    public var port: Int
    public var limits: Limits
    /// Rate and default option volatility for the risk endpoints (stress tests, hedges), as the risk engine uses them.
    public var risk = RiskEngineConfiguration()
    public var access: Access
    /// `Idempotency-Key` records older than this are removed (and the key may be reused).
    public var idempotencyTTL: Duration
    public var streaming: Streaming
    /// Longest the `ReadCache` serves a body without a change announcement; zero: no cache.
    public var cacheMaxAge: Duration
    /// How long after a change announcement the read cache may still answer with the previous body
    /// while it loads the new one (`api.cacheStaleMs`); zero: requests wait for the new one.
    public var cacheStaleFor: Duration = .milliseconds(250)
    /// Shortest time between two loads of one body that requests accepting a stale answer start
    /// (`api.cacheReloadIntervalMs`): a symbol announced every batch reloads at most this often.
    public var cacheReloadInterval: Duration = .milliseconds(100)
    /// A connection with no request in progress for this long is closed (`api.idleTimeoutSeconds`).
    public var idleTimeoutSeconds: Int = 30
    /// How long `POST /risk/portfolios/{id}/calculate` waits for the risk engine's run (`api.riskCalculateTimeoutSeconds`).
    public var riskCalculateTimeout: Duration = .seconds(15)
    /// The consumer group `GET /pipeline` describes when none is asked for (`kafka.groupId`); nil:
    /// the group that committed last.
    public var pipelineGroup: String?

    public init(host: String = "127.0.0.1", port: Int = 8080, limits: Limits = Limits(), access: Access = Access(),
                idempotencyTTL: Duration = .seconds(24 * 3600), streaming: Streaming = Streaming(),
                cacheMaxAge: Duration = .seconds(1)) {
        self.cacheMaxAge = cacheMaxAge
        self.host = host
        self.port = port
        self.limits = limits
        self.access = access
        self.idempotencyTTL = idempotencyTTL
        self.streaming = streaming
    }

    public init(settings: QuantSettings.API) {
        self.init(host: settings.host, port: settings.port,
                  limits: Limits(maxPageSize: settings.maxPageSize, maxRangeDays: settings.maxRangeDays,
                                 heavyRequestsMax: settings.heavyRequestsMax, heavyRequestsPerClient: settings.heavyRequestsPerClient),
                  access: Access(requireKeyForReads: settings.requireKeyForReads,
                                 keyCacheTTL: .seconds(settings.keyCacheSeconds),
                                 ratePerSecond: Double(settings.rateLimitPerSecond), burst: settings.rateLimitBurst),
                  idempotencyTTL: .seconds(settings.idempotencyTtlHours * 3600),
                  streaming: Streaming(bufferEvents: settings.streamBufferEvents,
                                       heartbeat: .seconds(settings.streamHeartbeatSeconds),
                                       maxClients: settings.streamMaxClients,
                                       maxClientsPerAddress: settings.streamMaxClientsPerAddress,
                                       resumeMaxTrades: settings.streamResumeMaxTrades),
                  cacheMaxAge: .milliseconds(settings.cacheMaxAgeMs))
        idleTimeoutSeconds = settings.idleTimeoutSeconds
        cacheStaleFor = .milliseconds(settings.cacheStaleMs)
        cacheReloadInterval = .milliseconds(settings.cacheReloadIntervalMs)
        riskCalculateTimeout = .seconds(settings.riskCalculateTimeoutSeconds)
    }
}
