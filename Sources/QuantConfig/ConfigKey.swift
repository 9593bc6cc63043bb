/// One setting: its dotted key in `config/config.yaml`, the environment variable that overrides it,
/// its default and what it means. `ConfigKey.all` is the single list of every setting we read.
public struct ConfigKey: Sendable, Hashable {
    public let path: String
    public let defaultValue: String
    public let help: String

    public init(_ path: String, default defaultValue: String, _ help: String) {
        self.path = path
        self.defaultValue = defaultValue
        self.help = help
    }

    /// `database.url` → `DATABASE_URL`, `kafka.brokers` → `KAFKA_BROKERS` (the names every tool
    /// knows), anything else `section.someKey` → `QUANT_SECTION_SOME_KEY`.
    public var environmentVariable: String {
        if let alias = Self.wellKnown[path] { return alias }
        return "QUANT_" + path.split(separator: ".").map(Self.upperSnake).joined(separator: "_")
    }

    static let wellKnown = ["database.url": "DATABASE_URL", "kafka.brokers": "KAFKA_BROKERS"]

    static func upperSnake(_ word: Substring) -> String {
        var out = ""
        for ch in word {
            if ch.isUppercase, !out.isEmpty { out.append("_") }
            out.append(contentsOf: ch.uppercased())
        }
        return out
    }
}

extension ConfigKey {
    /// Every setting quant-pipeline reads. Keep `config/config.yaml` and `.env.example` in step
    /// (a test checks both).
    public static let all: [ConfigKey] = [
        .init("database.url", default: "postgres://quant@127.0.0.1:55432/quant",
              "PostgreSQL URL: postgres://user[:password]@host[:port]/database[?sslmode=disable|require]"),
        .init("database.passwordFile", default: "",
              "File whose first line is the database password, so it need not sit in the URL"),
        .init("database.poolSize", default: "8", "Maximum connections per process"),
        .init("database.applicationName", default: "quant", "application_name shown in pg_stat_activity"),
        .init("kafka.brokers", default: "127.0.0.1:59092", "Comma-separated bootstrap brokers, host:port"),
        .init("kafka.clientId", default: "quant", "Kafka client.id"),
        .init("kafka.groupId", default: "quant-processor", "Consumer group of the processor"),
        .init("kafka.sessionTimeoutMs", default: "6000", "Consumer group session timeout"),
        .init("kafka.topicPartitions", default: "4", "Partitions for topics the pipeline creates"),
        .init("kafka.statisticsIntervalMs", default: "5000", "How often librdkafka reports the messages and bytes its queues hold (quant_kafka_queue_* metrics); 0 turns it off"),
        .init("kafka.securityProtocol", default: "plaintext", "plaintext, ssl, sasl_plaintext or sasl_ssl: how every Kafka client connects (docs/kafka.md, Security)"),
        .init("kafka.saslMechanism", default: "SCRAM-SHA-512", "SASL mechanism with sasl_*: SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN"),
        .init("kafka.saslUsername", default: "", "SASL user name with sasl_*"),
        .init("kafka.saslPasswordFile", default: "", "File holding the SASL password with sasl_* (never the password itself in config)"),
        .init("kafka.sslCaLocation", default: "", "CA certificate (PEM) the brokers' certificates are checked against with ssl/sasl_ssl; empty: the system's"),
        .init("kafka.sslCertificateLocation", default: "", "Client certificate (PEM) for mutual TLS; empty: none"),
        .init("kafka.sslKeyLocation", default: "", "Client private key (PEM) for mutual TLS; empty: none"),
        .init("processor.batchMaxMessages", default: "5000", "quant processor commits a batch when it holds this many messages"),
        .init("processor.batchMaxDelayMs", default: "10", "…or when its oldest message has waited this long (ms)"),
        .init("processor.commitWhenCaughtUp", default: "true", "…or as soon as everything fetched is handled"),
        .init("processor.fetchWaitMaxMs", default: "10", "How long the broker may hold the processor's fetch waiting for new messages (fetch.wait.max.ms): the latency an idle moment adds"),
        .init("processor.publishEvents", default: "true", "Publish execution reports and executions to orders.events"),
        .init("processor.sessions", default: "true", "At each session's close (the instruments' calendars), write end_of_day per symbol into orders.commands: DAY orders expire"),
        .init("processor.defaultCalendar", default: "XNYS", "Session calendar (market.trading_calendars) of instruments that name none"),
        .init("processor.sessionCheckIntervalMs", default: "1000", "How often the session scheduler looks for closes that are due"),
        .init("processor.requireAccount", default: "false", "Refuse orders that name no account (unknown_account); otherwise they trade and move no position"),
        .init("processor.snapshotIntervalSeconds", default: "60", "How often changed order books are snapshotted with the offsets (shortens replays after restarts)"),
        .init("processor.depthIntervalMs", default: "250", "How often the depth of changed order books is published (trading.book_depth, GET /orderbook)"),
        .init("processor.ingestWindowSeconds", default: "5", "How often the batches' counts and commit times are stored (ops.ingest_windows, the console's pipeline view); 0: never"),
        .init("processor.topicPrefix", default: "", "Prefix of every topic the processor reads and writes (isolates test and benchmark runs)"),
        .init("processor.closedOrderMemory", default: "100000", "How many closed orders per commands partition keep their client ids (duplicate_order_id, order_closed); older ones are forgotten"),
        .init("processor.maxEventLeadSeconds", default: "60", "Market data and order commands dated more than this many seconds after the processor's clock are dead-lettered"),
        .init("processor.maxEventAgeDays", default: "30", "…and those dated more than this many days before it (0: no limit, for replays of history)"),
        .init("processor.shutdownGraceSeconds", default: "30", "After SIGTERM, how long a failing commit (database down) is still retried before the processor exits without committing"),
        .init("limits.maxOrderQuantity", default: "", "Pre-trade limit: largest quantity of one order (empty: none)"),
        .init("limits.maxOrderNotional", default: "", "Pre-trade limit: largest price × quantity of one order (empty: none)"),
        .init("limits.maxPriceDeviationPercent", default: "", "Pre-trade limit: largest distance of a limit price from the last trade, in % (empty: none)"),
        .init("limits.instruments", default: "", "Per-symbol limits SYMBOL:maxQuantity:maxNotional:maxDeviationPercent, comma-separated; empty fields keep the global value"),
        .init("migrations.directory", default: "migrations", "Folder of numbered migration files NNNN_name.sql"),
        .init("migrations.sqlDirectory", default: "sql", "Folder of idempotent view and function files re-applied after migrations"),
        .init("partitions.premakeDays", default: "7", "Daily partitions created ahead of today"),
        .init("partitions.maintenanceIntervalSeconds", default: "3600", "How often the processor runs partition upkeep and retention"),
        .init("log.level", default: "info", "trace, debug, info, notice, warning, error or critical"),
        .init("risk.intervalSeconds", default: "60", "How often quant risk-engine recomputes every portfolio"),
        .init("risk.debounceMilliseconds", default: "1000", "After an md_trades notification, wait this long for more before recomputing"),
        .init("risk.pnlIntervalSeconds", default: "60", "How often the risk engine records every account position's P&L (risk.pnl_snapshots, api.portfolio_pnl); 0: never"),
        .init("risk.positionsThrottleMilliseconds", default: "100", "After a risk_positions notification recompute at once; while positions keep changing, at most once per this interval"),
        .init("risk.methods", default: "historical,parametric,monte_carlo", "VaR methods the risk engine stores, comma-separated"),
        .init("risk.confidences", default: "0.95,0.975,0.99", "VaR/ES confidence levels, comma-separated"),
        .init("risk.horizons", default: "1,10", "VaR/ES horizons in trading days, comma-separated"),
        .init("risk.lookbackDays", default: "250", "Daily returns in the look-back window"),
        .init("risk.minimumReturns", default: "20", "Portfolios with fewer common daily returns are skipped"),
        .init("risk.monteCarloPaths", default: "100000", "Monte Carlo paths per portfolio"),
        .init("risk.seed", default: "42", "Monte Carlo seed"),
        .init("risk.riskFreeRate", default: "0.04", "Continuously compounded risk-free rate for option pricing"),
        .init("risk.defaultVolatility", default: "0.25", "Option volatility when no option quote gives an implied one"),
        .init("risk.stressScenarios", default: "config/stress-scenarios.yaml", "File of the standard stress scenarios the risk engine runs each cycle; empty = none"),
        .init("risk.betaIndex", default: "SPY", "Index symbol portfolio betas are measured against (from its stored daily closes); empty = no beta"),
        .init("api.host", default: "127.0.0.1", "Address quant api listens on"),
        .init("api.port", default: "8080", "Port quant api listens on"),
        .init("api.maxPageSize", default: "1000", "Largest page (limit) a list endpoint returns"),
        .init("api.maxRangeDays", default: "31", "Widest from/to time range a tick or history request may ask for, in days"),
        .init("api.requireKeyForReads", default: "false", "GET requests need an API key (scope read) too; writes always need one with scope write"),
        .init("api.keyCacheSeconds", default: "5", "How long quant api remembers an API key lookup (a revoked key stops working within this)"),
        .init("api.rateLimitPerSecond", default: "50", "Requests per second per API key (or per client address without a key)"),
        .init("api.rateLimitBurst", default: "100", "Requests a client may send at once before the per-second rate applies"),
        .init("api.idempotencyTtlHours", default: "24", "Idempotency-Key records older than this are removed and the key may be reused"),
        .init("api.riskCalculateTimeoutSeconds", default: "15", "How long POST /risk/portfolios/{id}/calculate waits for the risk engine's run before answering 504"),
        .init("api.streamBufferEvents", default: "256", "Events buffered per streaming client; a slower client skips the oldest"),
        .init("api.streamHeartbeatSeconds", default: "15", "Seconds between heartbeat comments on an idle event stream"),
        .init("api.streamMaxClients", default: "1000", "Event-stream clients one quant api serves at once (more answer 503)"),
        .init("api.streamMaxClientsPerAddress", default: "20", "Event-stream clients one client address may hold at once (more answer 429)"),
        .init("api.streamResumeMaxTrades", default: "10000", "Prints a trades: channel of an event stream catches up on after Last-Event-ID or a drop; beyond, it tells the client to reload"),
        .init("api.cacheMaxAgeMs", default: "1000", "Longest the read cache serves a body without a change announcement (0: no cache)"),
        .init("api.cacheStaleMs", default: "250", "How long after a change announcement the read cache may answer with the previous body while it loads the new one (0: never)"),
        .init("api.cacheReloadIntervalMs", default: "100", "Shortest time between two loads of one body started by requests that accept a stale answer: a symbol announced every batch reloads at most this often (0: every announcement)"),
        .init("api.heavyRequestsMax", default: "4", "Hedge and custom stress-test requests one quant api runs at once (more answer 429)"),
        .init("api.heavyRequestsPerClient", default: "2", "Hedge and custom stress-test requests one client (key or address) may run at once"),
        .init("api.consoleDirectory", default: "console", "Directory of the web console's files, served under /console/ (docs/console.md; relative to the working directory; empty: no console)"),
        .init("api.idleTimeoutSeconds", default: "30", "A connection with no request in progress (or a request head not finished) for this long is closed"),
        .init("metrics.host", default: "127.0.0.1", "Address every service's Prometheus /metrics listens on"),
        .init("metrics.processorPort", default: "9101", "Port of quant processor's /metrics (0: off)"),
        .init("metrics.riskEnginePort", default: "9102", "Port of quant risk-engine's /metrics (0: off)"),
        .init("metrics.apiPort", default: "9103", "Port of quant api's /metrics (0: off)"),
    ]

    public static func named(_ path: String) -> ConfigKey? { all.first { $0.path == path } }
}
