/// The bodies the stream shares with the REST API (`GET /orderbook/{symbol}`,
/// `GET /risk/metrics/{id}`, `GET /portfolios/{id}/positions`): defined here once so the stream
/// and the endpoint cannot drift apart. Prices and amounts are exact decimal strings, times
/// RFC 3339 UTC with microseconds (docs/messages.md).

public struct BookLevelBody: Codable, Sendable, Equatable {
    public var price: String
    public var quantity: Int64
    public var orders: Int64?
    public init(price: String, quantity: Int64, orders: Int64? = nil) {
        (self.price, self.quantity, self.orders) = (price, quantity, orders)
    }
}

public struct OrderBookBody: Codable, Sendable, Equatable {
    public var symbol: String
    public var takenAt: String
    public var sequence: Int64
    public var bestBid: String?
    public var bestAsk: String?
    public var spread: String?
    public var bidDepth: Int64
    public var askDepth: Int64
    public var bids: [BookLevelBody]
    public var asks: [BookLevelBody]

    public init(symbol: String, takenAt: String, sequence: Int64, bestBid: String?, bestAsk: String?, spread: String?,
                bidDepth: Int64, askDepth: Int64, bids: [BookLevelBody], asks: [BookLevelBody]) {
        (self.symbol, self.takenAt, self.sequence, self.bestBid, self.bestAsk, self.spread) = (symbol, takenAt, sequence, bestBid, bestAsk, spread)
        (self.bidDepth, self.askDepth, self.bids, self.asks) = (bidDepth, askDepth, bids, asks)
    }
}

/// One VaR/ES result (from `api.risk_overview`, `api.risk_metrics`).
public struct RiskMetricBody: Codable, Sendable, Equatable {
    public var method: String
    public var confidence: String
    public var horizonDays: Int32
    public var `var`: String
    public var expectedShortfall: String
    /// Only in the history, where rows come from many runs.
    public var computedAt: String?
    public var runId: String?
    public var portfolioValue: String?

    public init(method: String, confidence: String, horizonDays: Int32, var: String, expectedShortfall: String,
                computedAt: String? = nil, runId: String? = nil, portfolioValue: String? = nil) {
        (self.method, self.confidence, self.horizonDays, self.var, self.expectedShortfall) = (method, confidence, horizonDays, `var`, expectedShortfall)
        (self.computedAt, self.runId, self.portfolioValue) = (computedAt, runId, portfolioValue)
    }
}

public struct GreeksBody: Codable, Sendable, Equatable {
    public var delta: Double?
    public var gamma: Double?
    public var vega: Double?
    public var theta: Double?
    public var rho: Double?
    public init(delta: Double?, gamma: Double?, vega: Double?, theta: Double?, rho: Double?) {
        (self.delta, self.gamma, self.vega, self.theta, self.rho) = (delta, gamma, vega, theta, rho)
    }
}

public struct RiskBody: Codable, Sendable, Equatable {
    public var portfolioId: String
    /// The latest run; absent (with empty `metrics`) until the risk engine has valued the portfolio.
    public var runId: String?
    public var computedAt: String?
    public var asOf: String?
    public var portfolioValue: String?
    public var greeks: GreeksBody?
    public var metrics: [RiskMetricBody]
    /// With `history=true`: every stored result in the range, newest first.
    public var history: [RiskMetricBody]?

    public init(portfolioId: String, runId: String? = nil, computedAt: String? = nil, asOf: String? = nil,
                portfolioValue: String? = nil, greeks: GreeksBody? = nil, metrics: [RiskMetricBody], history: [RiskMetricBody]? = nil) {
        (self.portfolioId, self.runId, self.computedAt, self.asOf) = (portfolioId, runId, computedAt, asOf)
        (self.portfolioValue, self.greeks, self.metrics, self.history) = (portfolioValue, greeks, metrics, history)
    }
}

public struct PositionBody: Codable, Sendable, Equatable {
    public var symbol: String
    public var kind: String
    /// Signed units (negative: short), an exact decimal.
    public var quantity: String
    public var averagePrice: String?
    public var updatedAt: String
    public init(symbol: String, kind: String, quantity: String, averagePrice: String?, updatedAt: String) {
        (self.symbol, self.kind, self.quantity, self.averagePrice, self.updatedAt) = (symbol, kind, quantity, averagePrice, updatedAt)
    }
}

public struct PositionListBody: Codable, Sendable, Equatable {
    public var portfolioId: String
    public var positions: [PositionBody]
    public init(portfolioId: String, positions: [PositionBody]) { (self.portfolioId, self.positions) = (portfolioId, positions) }
}
