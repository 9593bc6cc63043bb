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
    /// Reachability check of the Kafka broker for `/health`; nil when orders are not published.
    public var kafkaProbe: (@Sendable () async throws -> Void)?

    public init(database: ReaderDatabase, kafkaProbe: (@Sendable () async throws -> Void)? = nil) {
        self.database = database
        self.kafkaProbe = kafkaProbe
    }
}

public typealias APIRequestContext = BasicRequestContext

/// Every route under `/api/v1`, with problem-details errors.
public func buildRouter(configuration: APIConfiguration, dependencies: APIDependencies) -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self)
    router.add(middleware: ProblemMiddleware())
    let v1 = router.group("api/v1")
    let database = dependencies.database
    HealthController(database: database, kafkaProbe: dependencies.kafkaProbe).addRoutes(to: v1)
    MarketController(reader: MarketReader(database: database), limits: configuration.limits).addRoutes(to: v1)
    OrdersController(reader: OrderReader(database: database)).addRoutes(to: v1)
    RiskController(reader: RiskReader(database: database), limits: configuration.limits).addRoutes(to: v1)
    return router
}

/// The application `quant api` runs: the router on `configuration.host:port`.
public func buildApplication(configuration: APIConfiguration, dependencies: APIDependencies, logger: Logger)
    -> some ApplicationProtocol
{
    Application(
        router: buildRouter(configuration: configuration, dependencies: dependencies),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "quant-api"),
        logger: logger)
}
