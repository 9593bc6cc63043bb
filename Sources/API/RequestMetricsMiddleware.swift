import Hummingbird
import Metrics
import Telemetry

/// Counts and times every request by route pattern (`/api/v1/orderbook/{symbol}`, never the raw
/// path, so the number of series stays bounded), method and status. It sits outside
/// `ProblemMiddleware`, so errors are counted with the status the client saw.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var status = 500
        defer {
            let route = context.endpointPath ?? "unmatched"
            APIMetrics.answered(route: route, method: request.method.rawValue, status: status, duration: ContinuousClock.now - started)
        }
        let response = try await next(request, context)
        status = response.status.code
        return response
    }
}

/// What `quant api` records (swift-metrics; exported as Prometheus on `metrics.apiPort`).
public enum APIMetrics {
    static let requests = "quant_http_requests_total"
    static let requestDuration = "quant_http_request_duration_seconds"
    static let streamClients = "quant_stream_clients"
    static let cacheLookups = "quant_api_cache_lookups_total"
    static let cacheLoads = "quant_api_cache_loads_total"

    public static let catalog = MetricCatalog(
        help: [
            requests: "HTTP requests answered, by route pattern, method and status.",
            requestDuration: "HTTP request latency until the response head, by route pattern and method.",
            streamClients: "Streaming (server-sent events) clients connected now.",
            cacheLookups: "Read-cache lookups by cache (book, market) and result: hit, stale (answered with a stale body), shared (joined a load in flight), miss, bypass (cache not listening).",
            cacheLoads: "Read-cache loads started (each queries the database), by cache (book, market).",
        ],
        durationBuckets: [requestDuration: MetricCatalog.milliseconds])

    /// Recorded by `StreamHub` on every connect and disconnect.
    static let streamClientsGauge = Gauge(label: streamClients)

    static func answered(route: String, method: String, status: Int, duration: Duration) {
        Counter(label: requests, dimensions: [("route", route), ("method", method), ("status", String(status))]).increment()
        Timer(label: requestDuration, dimensions: [("route", route), ("method", method)]).record(duration: duration)
    }
}
