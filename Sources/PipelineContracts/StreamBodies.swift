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

/// One position's share of a run's tail risk (`api.position_risk_latest`): its component VaR and
/// ES (Euler allocation; they sum to the run's) and its incremental ES (scenario methods only).
public struct PositionRiskBody: Codable, Sendable, Equatable {
    public var positionId: String
    public var method: String
    public var confidence: String
    public var horizonDays: Int32
    public var componentVar: Double
    public var componentEs: Double
    public var incrementalEs: Double?
    public init(positionId: String, method: String, confidence: String, horizonDays: Int32, componentVar: Double,
                componentEs: Double, incrementalEs: Double?) {
        (self.positionId, self.method, self.confidence, self.horizonDays) = (positionId, method, confidence, horizonDays)
        (self.componentVar, self.componentEs, self.incrementalEs) = (componentVar, componentEs, incrementalEs)
    }
}

/// The run's beta to the index `risk.betaIndex` (`api.portfolio_beta_latest`).
public struct BetaBody: Codable, Sendable, Equatable {
    public var index: String
    public var beta: Double
    /// P&L per unit index log return.
    public var dollarBeta: Double?
    public var correlation: Double?
    public var observations: Int32?
    public init(index: String, beta: Double, dollarBeta: Double?, correlation: Double?, observations: Int32?) {
        (self.index, self.beta, self.dollarBeta, self.correlation, self.observations) = (index, beta, dollarBeta, correlation, observations)
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
    /// The latest run's per-position component and incremental ES; absent before the first run.
    public var positions: [PositionRiskBody]?
    /// The latest run's beta, when the index had enough common history.
    public var beta: BetaBody?

    public init(portfolioId: String, runId: String? = nil, computedAt: String? = nil, asOf: String? = nil,
                portfolioValue: String? = nil, greeks: GreeksBody? = nil, metrics: [RiskMetricBody], history: [RiskMetricBody]? = nil,
                positions: [PositionRiskBody]? = nil, beta: BetaBody? = nil) {
        (self.portfolioId, self.runId, self.computedAt, self.asOf) = (portfolioId, runId, computedAt, asOf)
        (self.portfolioValue, self.greeks, self.metrics, self.history) = (portfolioValue, greeks, metrics, history)
        (self.positions, self.beta) = (positions, beta)
    }
}

/// One position of a portfolio (`api.positions`): entered plus traded, with its P&L. Decimals are
/// exact decimal texts.
public struct PositionBody: Codable, Sendable, Equatable {
    public var symbol: String
    public var kind: String
    /// Signed units (negative: short): `enteredQuantity` + `tradedQuantity`.
    public var quantity: String
    public var averagePrice: String?
    public var updatedAt: String
    /// What was entered for the portfolio (`PUT …/positions/{symbol}`).
    public var enteredQuantity: String?
    /// What its accounts' fills made.
    public var tradedQuantity: String?
    /// Realized by its accounts' fills, in the price's currency.
    public var realizedPnl: String?
    /// The price the position is marked to (`api.marks`: the last trade, else the quote mid).
    public var mark: String?
    /// quantity × mark − cost, in the price's currency; absent without a mark or a known cost.
    public var unrealizedPnl: String?

    public init(symbol: String, kind: String, quantity: String, averagePrice: String?, updatedAt: String,
                enteredQuantity: String? = nil, tradedQuantity: String? = nil, realizedPnl: String? = nil,
                mark: String? = nil, unrealizedPnl: String? = nil) {
        (self.symbol, self.kind, self.quantity, self.averagePrice, self.updatedAt) = (symbol, kind, quantity, averagePrice, updatedAt)
        (self.enteredQuantity, self.tradedQuantity, self.realizedPnl) = (enteredQuantity, tradedQuantity, realizedPnl)
        (self.mark, self.unrealizedPnl) = (mark, unrealizedPnl)
    }
}

public struct PositionListBody: Codable, Sendable, Equatable {
    public var portfolioId: String
    public var positions: [PositionBody]
    public init(portfolioId: String, positions: [PositionBody]) { (self.portfolioId, self.positions) = (portfolioId, positions) }
}
