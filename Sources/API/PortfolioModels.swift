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

public struct PositionBody: Codable, Sendable, Equatable {
    public var symbol: String
    public var kind: String
    /// Signed units (negative: short), an exact decimal.
    public var quantity: String
    public var averagePrice: String?
    public var updatedAt: String
}

public struct PositionListBody: Codable, Sendable {
    public var portfolioId: String
    public var positions: [PositionBody]
}
