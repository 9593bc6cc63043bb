import QuantConfig
import RiskEngine

/// What `buildApplication` needs besides its dependencies: where to listen and the request limits.
public struct APIConfiguration: Sendable {
    public struct Limits: Sendable {
        /// Largest `limit` a list endpoint accepts (and the most bars per request).
        public var maxPageSize: Int
        /// Widest `from`/`to` range of tick and history requests.
        public var maxRangeDays: Int
        public init(maxPageSize: Int = 1000, maxRangeDays: Int = 31) {
            self.maxPageSize = maxPageSize
            self.maxRangeDays = maxRangeDays
        }
    }

    public var host: String
    public var port: Int
    public var limits: Limits
    /// Rate and default option volatility for the risk endpoints (stress tests, hedges), as the risk engine uses them.
    public var risk = RiskEngineConfiguration()

    public init(host: String = "127.0.0.1", port: Int = 8080, limits: Limits = Limits()) {
        self.host = host
        self.port = port
        self.limits = limits
    }

    public init(settings: QuantSettings.API) {
        self.init(host: settings.host, port: settings.port,
                  limits: Limits(maxPageSize: settings.maxPageSize, maxRangeDays: settings.maxRangeDays))
    }
}
