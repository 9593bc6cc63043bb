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
