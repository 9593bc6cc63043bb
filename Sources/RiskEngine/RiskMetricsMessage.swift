import Foundation
import PortfolioValuation
import Risk

/// One stored run as published on `risk.metrics` (JSON, snake_case, like every message of the
/// pipeline; docs/messages.md). Amounts are in the portfolio's currency, losses positive for VaR
/// and ES, stress P&L signed (negative = loss).
public struct RiskMetricsMessage: Sendable, Codable, Equatable {
    public struct Measure: Sendable, Codable, Equatable {
        public var method: String
        public var confidence: Double
        public var horizonDays: Int
        public var `var`: Double
        public var expectedShortfall: Double
        public var scenarios: Int?
        public var positions: [PositionRisk]
    }

    public struct PositionRisk: Sendable, Codable, Equatable {
        public var id: String
        public var componentVar: Double
        public var componentEs: Double
        public var incrementalEs: Double?
    }

    public struct Stress: Sendable, Codable, Equatable {
        public var scenario: String
        public var baseValue: Double
        public var stressedValue: Double
        public var pnl: Double
    }

    public struct Beta: Sendable, Codable, Equatable {
        public var index: String
        public var beta: Double?
        public var dollarBeta: Double
        public var correlation: Double?
        public var observations: Int
    }

    /// `risk_result`, version 1, as docs/messages.md lists it.
    public var type = "risk_result"
    public var v = 1
    public var portfolioId: String
    public var runId: String
    public var computedAt: String
    public var asOf: String
    public var portfolioValue: Double
    public var greeks: [String: Double]
    public var beta: Beta?
    public var measures: [Measure]
    public var stress: [Stress]

    public init(run: PortfolioRiskRun, runID: UUID, computedAt: String) {
        portfolioId = run.portfolioID
        self.runId = runID.uuidString.lowercased()
        self.computedAt = computedAt
        asOf = run.valuationDate.description
        portfolioValue = run.value
        let g = run.greeks
        greeks = ["delta": g.delta, "gamma": g.gamma, "vega": g.vega, "theta": g.theta, "rho": g.rho]
        beta = run.beta.map {
            Beta(index: $0.index.rawValue, beta: $0.beta, dollarBeta: $0.dollarBeta, correlation: $0.correlation, observations: $0.observations)
        }
        measures = run.measures.map { m in
            Measure(
                method: m.method.storedName, confidence: m.confidence, horizonDays: m.horizonDays, var: m.valueAtRisk,
                expectedShortfall: m.expectedShortfall, scenarios: m.scenarios,
                positions: m.contributions.map {
                    PositionRisk(id: $0.id, componentVar: $0.valueAtRisk, componentEs: $0.expectedShortfall,
                                 incrementalEs: $0.incrementalExpectedShortfall)
                })
        }
        stress = run.stress.map { Stress(scenario: $0.scenario, baseValue: $0.baseValue, stressedValue: $0.stressedValue, pnl: $0.pnl) }
    }

    /// snake_case JSON (nested keys converted too), keys sorted so equal runs give equal bytes.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> RiskMetricsMessage {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(RiskMetricsMessage.self, from: data)
    }
}
