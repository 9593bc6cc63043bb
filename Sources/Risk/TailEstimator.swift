/// VaR and Expected Shortfall of a finite sample of losses, with the tail fraction handled exactly.
///
/// With n losses sorted from worst, L₍₁₎ ≥ L₍₂₎ ≥ … ≥ L₍ₙ₎, α = 1 − confidence, w = n·α and
/// k = ⌊w⌋ (Acerbi & Tasche, "On the coherence of Expected Shortfall", 2002):
///
///     VaR = L₍ₖ₊₁₎
///     ES  = ( L₍₁₎ + … + L₍ₖ₎ + (w − k)·L₍ₖ₊₁₎ ) / w
///
/// so ES is the average of exactly the worst fraction α of the sample, counting the boundary
/// scenario fractionally, and ES ≥ VaR always.
public struct TailEstimate: Sendable, Hashable {
    public let valueAtRisk: Double
    public let expectedShortfall: Double
    /// ES as weights on scenarios: ES = Σ weight·loss[index]; the weights sum to 1.
    public let shortfallWeights: [(index: Int, weight: Double)]
    /// VaR as weights on scenarios around the VaR order statistic (see `estimate`); sum to 1.
    public let valueAtRiskWeights: [(index: Int, weight: Double)]
    /// The scenario whose loss is the VaR.
    public let valueAtRiskScenario: Int

    public static func == (lhs: TailEstimate, rhs: TailEstimate) -> Bool {
        lhs.valueAtRisk == rhs.valueAtRisk && lhs.expectedShortfall == rhs.expectedShortfall
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(valueAtRisk)
        hasher.combine(expectedShortfall)
    }

    /// Estimates from `losses` (positive = loss). `order` may pass the scenario indices already
    /// sorted by descending loss.
    ///
    /// For component VaR the single scenario at the quantile is a noisy allocation key, so the VaR
    /// weights spread evenly over the m scenarios either side of it, m = ⌊n/1000⌋ (none for small
    /// samples); `TailAttribution` rescales so contributions still sum to the VaR.
    public static func estimate(losses: [Double], confidence: Double, order: [Int]? = nil) throws(RiskError) -> TailEstimate {
        try RiskError.require("confidence", confidence, "in (0, 1)") { $0 > 0 && $0 < 1 }
        let n = losses.count
        guard n > 0 else { throw .historyTooShort(needed: 1, available: 0) }
        for loss in losses where !loss.isFinite {
            throw .invalidParameter(name: "scenario loss", value: loss, requirement: "finite")
        }
        let sorted = order ?? descendingOrder(losses)
        var w = Double(n) * (1 - confidence)
        // 1 − 0.95 is not exactly 0.05: snap w to an integer when it is one up to rounding.
        if abs(w - w.rounded()) < 1e-9 { w = w.rounded() }
        let k = min(Int(w), n - 1)
        var weights: [(index: Int, weight: Double)] = []
        weights.reserveCapacity(k + 1)
        var sum = 0.0
        for rank in 0..<k {
            weights.append((sorted[rank], 1 / w))
            sum += losses[sorted[rank]]
        }
        let boundary = losses[sorted[k]]
        let fraction = w - Double(k)
        if fraction > 0 { weights.append((sorted[k], fraction / w)) }
        sum += fraction * boundary

        let m = n / 1000
        let window = max(0, k - m)...min(n - 1, k + m)
        let varWeights = window.map { (index: sorted[$0], weight: 1 / Double(window.count)) }
        return TailEstimate(
            valueAtRisk: boundary, expectedShortfall: sum / w,
            shortfallWeights: weights, valueAtRiskWeights: varWeights, valueAtRiskScenario: sorted[k])
    }

    /// ES alone, by selection instead of a full sort (O(n) on average): the same number as
    /// `estimate(losses:confidence:).expectedShortfall`, for the many ES evaluations of incremental
    /// ES. Only the values of the k + 1 largest losses matter, so ties do not.
    public static func expectedShortfall(losses: [Double], confidence: Double) throws(RiskError) -> Double {
        try RiskError.require("confidence", confidence, "in (0, 1)") { $0 > 0 && $0 < 1 }
        let n = losses.count
        guard n > 0 else { throw .historyTooShort(needed: 1, available: 0) }
        for loss in losses where !loss.isFinite {
            throw .invalidParameter(name: "scenario loss", value: loss, requirement: "finite")
        }
        var w = Double(n) * (1 - confidence)
        if abs(w - w.rounded()) < 1e-9 { w = w.rounded() }
        let k = min(Int(w), n - 1)
        var values = losses
        selectLargest(&values, count: k + 1)
        var sum = 0.0
        for rank in 0..<k { sum += values[rank] }
        return (sum + (w - Double(k)) * values[k]) / w
    }

    /// Rearranges `values` so that its first `count` elements are the `count` largest, the
    /// `count`-th largest at index `count − 1`: quickselect with a median-of-three pivot and a
    /// three-way partition, so runs of equal losses (a flat book: all zeros) stay linear.
    static func selectLargest(_ values: inout [Double], count: Int) {
        var low = 0, high = values.count - 1
        let target = count - 1
        while low < high {
            let (a, b, c) = (values[low], values[low + (high - low) / 2], values[high])
            let pivot = max(min(a, b), min(max(a, b), c))
            // [low, larger) > pivot, [larger, i) == pivot, (smaller, high] < pivot.
            var larger = low, i = low, smaller = high
            while i <= smaller {
                if values[i] > pivot {
                    values.swapAt(i, larger)
                    larger += 1
                    i += 1
                } else if values[i] < pivot {
                    values.swapAt(i, smaller)
                    smaller -= 1
                } else {
                    i += 1
                }
            }
            if target < larger { high = larger - 1 } else if target > smaller { low = smaller + 1 } else { return }
        }
    }

    /// Indices of `losses` from the largest loss to the smallest (ties by index, for determinism).
    public static func descendingOrder(_ losses: [Double]) -> [Int] {
        Array(losses.indices).sorted { losses[$0] > losses[$1] || (losses[$0] == losses[$1] && $0 < $1) }
    }
}
