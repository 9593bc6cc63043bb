/// VaR, ES and their Euler allocation from a set of full-revaluation scenarios: shared by
/// historical simulation and Monte Carlo.
///
/// Component ES of a position is its loss averaged over the same tail scenarios, with the same
/// weights, as the portfolio's ES (Acerbi–Tasche), so the components sum to ES exactly. Component
/// VaR is its average loss over the scenarios at the VaR quantile (see `TailEstimate`), rescaled
/// so that the components sum to VaR. Incremental ES of a position is the portfolio's ES minus the
/// ES of the same scenarios without that position (its P&L taken out of every scenario).
struct ScenarioRisk {
    let book: RiskBook
    /// Row-major: scenario s has factor log returns `moves[s*F ..< (s+1)*F]`.
    let moves: [Double]
    let count: Int

    init(book: RiskBook, moves: [Double]) {
        self.book = book
        self.moves = moves
        self.count = moves.count / max(book.factors.count, 1)
    }

    /// Portfolio loss (−P&L) in every scenario.
    func losses() -> [Double] {
        let f = book.factors.count
        var scratch = [Double](repeating: 0, count: f)
        var result = [Double](repeating: 0, count: count)
        moves.withUnsafeBufferPointer { buffer in
            for s in 0..<count {
                let slice = UnsafeBufferPointer(rebasing: buffer[(s * f)..<((s + 1) * f)])
                result[s] = -book.totalPnL(factorReturns: slice, movedSpots: &scratch)
            }
        }
        return result
    }

    /// `incremental`: also each position's incremental ES (one more ES per position and confidence).
    func measures(
        method: VaRMethod, model: String, horizon: Int, confidences: [Double], incremental withIncremental: Bool = false
    ) throws(RiskError) -> [RiskMeasure] {
        let losses = losses()
        let order = TailEstimate.descendingOrder(losses)
        let pnls = withIncremental ? positionPnLs() : []
        var result: [RiskMeasure] = []
        for confidence in confidences {
            let tail = try TailEstimate.estimate(losses: losses, confidence: confidence, order: order)
            let shortfall = positionLosses(tail.shortfallWeights)
            var valueAtRisk = positionLosses(tail.valueAtRiskWeights)
            let windowLoss = tail.valueAtRiskWeights.reduce(0) { $0 + $1.weight * losses[$1.index] }
            let scale = tail.valueAtRisk / windowLoss
            if tail.valueAtRiskWeights.count > 1 {
                if scale.isFinite && scale > 0 {
                    valueAtRisk = valueAtRisk.map { $0 * scale }
                } else {
                    // The window straddles zero loss: fall back to the quantile scenario alone.
                    valueAtRisk = positionLosses([(tail.valueAtRiskScenario, 1)])
                }
            }
            var incremental: [Double] = []
            for pnl in pnls {
                var without = losses
                for s in without.indices { without[s] += pnl[s] }
                incremental.append(tail.expectedShortfall - (try TailEstimate.expectedShortfall(losses: without, confidence: confidence)))
            }
            result.append(RiskMeasure(
                method: method, model: model, confidence: confidence, horizonDays: horizon,
                valueAtRisk: tail.valueAtRisk, expectedShortfall: tail.expectedShortfall, scenarios: count,
                contributions: book.positionGreeks.indices.map {
                    PositionContribution(
                        id: book.positionGreeks[$0].id, valueAtRisk: valueAtRisk[$0], expectedShortfall: shortfall[$0],
                        incrementalExpectedShortfall: withIncremental ? incremental[$0] : nil)
                }))
        }
        return result
    }

    /// Each position's P&L in every scenario: `[position][scenario]`.
    func positionPnLs() -> [[Double]] {
        let f = book.factors.count
        return book.legs.map { leg in
            var pnl = [Double](repeating: 0, count: count)
            for s in 0..<count {
                let moved = book.spots[leg.factor] * Math.exp(moves[s * f + leg.factor])
                pnl[s] = leg.units * (book.revaluedPrice(leg, underlying: moved) - leg.basePrice)
            }
            return pnl
        }
    }

    /// Σ weight × (loss of each position) over the weighted scenarios.
    private func positionLosses(_ weights: [(index: Int, weight: Double)]) -> [Double] {
        let f = book.factors.count
        var result = [Double](repeating: 0, count: book.positionGreeks.count)
        for (scenario, weight) in weights {
            let move = Array(moves[(scenario * f)..<((scenario + 1) * f)])
            for i in result.indices { result[i] -= weight * book.positionPnL(i, factorReturns: move) }
        }
        return result
    }
}
