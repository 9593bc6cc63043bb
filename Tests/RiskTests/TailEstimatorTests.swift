import Testing
@testable import Risk

@Suite struct TailEstimatorTests {
    /// Ten losses, confidence 75%: α·n = 2.5, k = 2. Sorted: 8, 6, 5, 4, …
    /// VaR = L₍₃₎ = 5; ES = (8 + 6 + 0.5·5) / 2.5 = 6.6.
    @Test func fractionalTail() throws {
        let losses: [Double] = [-1, 5, 2, 8, -3, 0, 4, 1, 6, -2]
        let tail = try TailEstimate.estimate(losses: losses, confidence: 0.75)
        #expect(tail.valueAtRisk == 5)
        #expect(abs(tail.expectedShortfall - 6.6) < 1e-12)
        #expect(abs(tail.shortfallWeights.reduce(0) { $0 + $1.weight } - 1) < 1e-12)
    }

    /// n·α an integer (100 × 5%): ES is the plain mean of the 5 worst, VaR the 6th worst.
    @Test func integerTail() throws {
        let losses = (1...100).map(Double.init).reversed().map { $0 }
        let tail = try TailEstimate.estimate(losses: losses, confidence: 0.95)
        #expect(tail.valueAtRisk == 95)
        #expect(abs(tail.expectedShortfall - 98) < 1e-12)
        let tail99 = try TailEstimate.estimate(losses: losses, confidence: 0.99)
        #expect(tail99.valueAtRisk == 99)
        #expect(tail99.expectedShortfall == 100)
    }

    @Test func fewerScenariosThanTheTailUsesTheWorst() throws {
        let tail = try TailEstimate.estimate(losses: [1, 3, 2], confidence: 0.99)
        #expect(tail.valueAtRisk == 3)
        #expect(tail.expectedShortfall == 3)
    }

    @Test func rejectsBadInputs() {
        #expect(throws: RiskError.self) { try TailEstimate.estimate(losses: [], confidence: 0.95) }
        #expect(throws: RiskError.self) { try TailEstimate.estimate(losses: [1, .nan], confidence: 0.95) }
        #expect(throws: RiskError.self) { try TailEstimate.estimate(losses: [1, 2], confidence: 1) }
    }
}
