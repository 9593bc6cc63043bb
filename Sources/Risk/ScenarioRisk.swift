import CBatchPricer

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

    /// Each factor's price in every scenario: `[factor][scenario]`, with every e^move taken at once
    /// (SLEEF's vector exp; libm's without AVX2).
    func movedSpots() -> [[Double]] {
        let f = book.factors.count
        var growth = [Double](repeating: 0, count: moves.count)
        let vectorised = moves.withUnsafeBufferPointer { x in
            growth.withUnsafeMutableBufferPointer { y in qp_exp(x.baseAddress!, y.baseAddress!, x.count) != 0 }
        }
        if !vectorised { for i in moves.indices { growth[i] = Math.exp(moves[i]) } }
        let scenarios = count
        return growth.withUnsafeBufferPointer { g in
            (0..<f).map { j in
                let spot = book.spots[j]
                return [Double](unsafeUninitializedCapacity: scenarios) { column, initialized in
                    for s in 0..<scenarios { column[s] = spot * g[s * f + j] }
                    initialized = scenarios
                }
            }
        }
    }

    /// Every `values[i]` replaced by e^values[i], as `movedSpots` takes each (SLEEF's vector exp).
    static func growths(_ values: inout [Double]) {
        let done = values.withUnsafeMutableBufferPointer { v in v.isEmpty || qp_exp(v.baseAddress!, v.baseAddress!, v.count) != 0 }
        if !done { for i in values.indices { values[i] = Math.exp(values[i]) } }
    }

    /// Portfolio loss (−P&L) in every scenario: position by position, each option priced in every
    /// scenario at once by the batched pricer (`ScenarioPricer.prices`). The sum runs over the
    /// positions in their order, as `RiskBook.totalPnL` does per scenario.
    func losses() -> [Double] {
        let moved = movedSpots()
        var result = [Double](repeating: 0, count: count)
        var prices = [Double](repeating: 0, count: count)
        for leg in book.legs {
            book.revaluedPrices(leg, underlyings: moved[leg.factor], into: &prices)
            for s in 0..<count { result[s] -= leg.units * (prices[s] - leg.basePrice) }
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
        let moved = movedSpots()
        var prices = [Double](repeating: 0, count: count)
        return book.legs.map { leg in
            book.revaluedPrices(leg, underlyings: moved[leg.factor], into: &prices)
            return prices.map { leg.units * ($0 - leg.basePrice) }
        }
    }

    /// Σ weight × (loss of each position) over the weighted scenarios: each position priced in all
    /// of them at once, with the moved prices `losses` used (so the components sum to its total).
    private func positionLosses(_ weights: [(index: Int, weight: Double)]) -> [Double] {
        let f = book.factors.count
        var moved = [Double](repeating: 0, count: weights.count)
        var prices = [Double](repeating: 0, count: weights.count)
        return book.legs.map { leg in
            for (k, w) in weights.enumerated() { moved[k] = moves[w.index * f + leg.factor] }
            Self.growths(&moved)
            for k in moved.indices { moved[k] *= book.spots[leg.factor] }
            book.revaluedPrices(leg, underlyings: moved, into: &prices)
            var loss = 0.0
            for (k, w) in weights.enumerated() { loss -= w.weight * (leg.units * (prices[k] - leg.basePrice)) }
            return loss
        }
    }
}
