import Hummingbird
import Logging
import PostgresNIO

/// The REST API of quant-pipeline (docs/api.md, docs/api.yaml): Hummingbird routes over the
/// reader views of schema `api`. `quant api` runs it; tests build the very same application.
///
/// The caller owns the `PostgresClient` (it runs as a service next to the application), so tests
/// can hand in a client of their own database.
public struct APIDependencies: Sendable {
    public var database: ReaderDatabase
    /// Where order commands go; nil: writes answer 503 and `/health` reports Kafka as disabled.
    public var orders: (any OrderCommandPublisher)?
    /// The read cache of the hottest reads; it serves only while it runs (as a service). Nil: none.
    public var cache: ReadCache?
    /// The web console's files, served under `/console/`; nil: no console.
    public var console: ConsoleFiles?
    /// The broker's end offsets of a topic's partitions, for `GET /pipeline`; nil: no broker
    /// (no lag, no input rates).
    public var endOffsets: (@Sendable (_ topic: String) async throws -> [Int32: Int64])?

    public init(database: ReaderDatabase, orders: (any OrderCommandPublisher)? = nil, cache: ReadCache? = nil,
                console: ConsoleFiles? = nil) {
        self.database = database
        self.orders = orders
        self.cache = cache
        self.console = console
    }
}

/// Every route under `/api/v1`, with problem-details errors, and the web console under `/console/`.
public func buildRouter(configuration: APIConfiguration, dependencies: APIDependencies) -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self)
    router.add(middleware: RequestMetricsMiddleware())
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: AccessMiddleware(
        authenticator: APIKeyAuthenticator(store: APIKeyStore(database: dependencies.database), ttl: configuration.access.keyCacheTTL),
        limiter: RateLimiter(rate: configuration.access.ratePerSecond, burst: configuration.access.burst),
        requireKeyForReads: configuration.access.requireKeyForReads))
    let v1 = router.group("api/v1")
    let database = dependencies.database
    let orders = dependencies.orders
    var kafkaProbe: (@Sendable () async throws -> Void)?
    if let orders { kafkaProbe = { try await orders.probe() } }
    HealthController(database: database, kafkaProbe: kafkaProbe).addRoutes(to: v1)
    MarketController(reader: MarketReader(database: database), limits: configuration.limits, cache: dependencies.cache).addRoutes(to: v1)
    OrdersController(reader: OrderReader(database: database), limits: configuration.limits).addRoutes(to: v1)
    OrderWritesController(market: MarketReader(database: database), orders: OrderReader(database: database), idempotency: IdempotencyStore(database: database, ttl: configuration.idempotencyTTL),
                          publisher: orders, database: database).addRoutes(to: v1)
    RiskController(reader: RiskReader(database: database), limits: configuration.limits).addRoutes(to: v1)
    let heavy = ConcurrencyGate(total: configuration.limits.heavyRequestsMax, perClient: configuration.limits.heavyRequestsPerClient)
    StressTestController(books: PortfolioBookReader(database: database, configuration: configuration.risk),
                         reader: StressResultReader(database: database), gate: heavy).addRoutes(to: v1)
    InstrumentWritesController(market: MarketReader(database: database), database: database).addRoutes(to: v1)
    RiskCalculateController(reader: RiskReader(database: database), database: database, gate: heavy,
                            timeout: configuration.riskCalculateTimeout).addRoutes(to: v1)
    HedgeController(books: PortfolioBookReader(database: database, configuration: configuration.risk), gate: heavy).addRoutes(to: v1)
    DerivativesController().addRoutes(to: v1)
    SymbolSearchController(database: database, limits: configuration.limits).addRoutes(to: v1)
    PortfolioController(store: PortfolioStore(database: database), market: MarketReader(database: database),
                        limits: configuration.limits).addRoutes(to: v1)
    let pipeline = PipelineMonitor(database: database, endOffsets: dependencies.endOffsets)
    PipelineController(monitor: pipeline, defaultGroup: configuration.pipelineGroup, limits: configuration.limits).addRoutes(to: v1)
    StreamController(hub: StreamHub(database: database, configuration: configuration.streaming, pipeline: pipeline)).addRoutes(to: v1)
    if let console = dependencies.console { ConsoleController(console: console).addRoutes(to: router) }
    return router
}

/// The application `quant api` runs: the router on `configuration.host:port`.
public func buildApplication(configuration: APIConfiguration, dependencies: APIDependencies, logger: Logger)
    -> some ApplicationProtocol
{
    Application(
        router: buildRouter(configuration: configuration, dependencies: dependencies),
        // The idle timeout also closes a connection whose request head never completes (a slow
        // header): its timer restarts only on a whole request part. A response in progress (an
        // event stream) is never idle.
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "quant-api"),
        logger: logger)
}
