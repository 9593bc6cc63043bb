/// Bodies of `/portfolios` (from `api.portfolios`, `api.positions`).
public struct PortfolioBody: Codable, Sendable, Equatable {
    public var portfolioId: String
    public var name: String
    public var baseCurrency: String
    public var createdAt: String
    public var updatedAt: String
}

public struct PortfolioListBody: Codable, Sendable {
    public var portfolios: [PortfolioBody]
    public var nextCursor: String?
}

/// The P&L of a portfolio's accounts' trading at one time (`api.portfolio_pnl`, or now from
/// `api.account_positions`), in the price's currency.
public struct PnLPointBody: Codable, Sendable, Equatable {
    public var takenAt: String
    public var realizedPnl: String
    /// Absent when no position has a mark.
    public var unrealizedPnl: String?
    public var totalPnl: String
    /// Account positions counted (flat ones too: they keep their realized P&L).
    public var positions: Int
}

/// `GET /portfolios/{id}/pnl`: the P&L now and as recorded, newest first.
public struct PnLBody: Codable, Sendable, Equatable {
    public var portfolioId: String
    public var current: PnLPointBody
    public var history: [PnLPointBody]
}
