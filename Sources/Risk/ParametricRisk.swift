/// Parametric VaR and ES: factor log returns over h days are N(0, h·Σ) (zero mean, √h scaling
/// of volatility), and the book's P&L is its Taylor expansion in those returns.
///
/// - A book without options uses **delta-normal**: P&L = δᵀr, normal with σ² = h·δᵀΣδ, so
///   VaR = z·σ and ES = σ·φ(z)/α (z = Φ⁻¹(confidence), α = 1 − confidence). Components are
///   the closed-form Euler allocation δᵢ·(Σδ)ᵢ/σ times z (VaR) or φ(z)/α (ES).
/// - A book with options uses **delta-gamma with Cornish-Fisher**: P&L = δᵀr + ½rᵀΓr, whose first
///   four cumulants are exact for normal r (κ₁ = ½tr(ΓΣ), κᵣ = ((r−1)!/2)·tr((ΓΣ)ʳ) +
///   (r!/2)·δᵀΣ(ΓΣ)ʳ⁻²δ); the α-quantile of P&L is κ₁ + w(a)·√κ₂ with the Cornish-Fisher
///   expansion w(a) = a + (a²−1)s/6 + (a³−3a)k/24 − (2a³−5a)s²/36, a = Φ⁻¹(α), skew s = κ₃/κ₂^1.5,
///   excess kurtosis k = κ₄/κ₂². ES integrates that quantile over the tail in closed form
///   (normal partial moments). Components are the Euler derivatives ∂VaR/∂λᵢ by central
///   differences in each position's size λᵢ (VaR is homogeneous of degree 1, so they sum to VaR).
///
/// Here δ and Γ are sensitivities to log returns: units·Δ·S and units·(Γ·S² + Δ·S).
struct ParametricRisk {
    let book: RiskBook
    /// Daily covariance of the factor log returns.
    let covariance: [[Double]]

    var usesGamma: Bool { book.legs.contains { $0.option != nil } }

    func measures(horizon: Int, confidences: [Double]) throws(RiskError) -> [RiskMeasure] {
        guard horizon >= 1 else { throw .invalidParameter(name: "horizon", value: Double(horizon), requirement: ">= 1 day") }
        let sensitivities = book.positionGreeks.indices.map { book.logReturnSensitivities($0) }
        let f = book.factors.count
        let scaled = covariance.map { $0.map { $0 * Double(horizon) } }
        var result: [RiskMeasure] = []
        for confidence in confidences {
            try RiskError.require("confidence", confidence, "in (0, 1)") { $0 > 0 && $0 < 1 }
            let alpha = 1 - confidence
            let z = NormalDistribution.quantile(confidence)
            var components: [PositionContribution] = []
            let total: (valueAtRisk: Double, expectedShortfall: Double)
            if usesGamma {
                func tail(_ scale: [Double]) -> (valueAtRisk: Double, expectedShortfall: Double) {
                    var delta = [Double](repeating: 0, count: f)
                    var gamma = [Double](repeating: 0, count: f)
                    for (i, s) in sensitivities.enumerated() {
                        delta[s.factor] += scale[i] * s.first
                        gamma[s.factor] += scale[i] * s.second
                    }
                    return Self.cornishFisher(delta: delta, gamma: gamma, covariance: scaled, alpha: alpha)
                }
                var scale = [Double](repeating: 1, count: sensitivities.count)
                total = tail(scale)
                let step = 1e-4
                for i in sensitivities.indices {
                    scale[i] = 1 + step
                    let up = tail(scale)
                    scale[i] = 1 - step
                    let down = tail(scale)
                    scale[i] = 1
                    components.append(PositionContribution(
                        id: book.positionGreeks[i].id,
                        valueAtRisk: (up.valueAtRisk - down.valueAtRisk) / (2 * step),
                        expectedShortfall: (up.expectedShortfall - down.expectedShortfall) / (2 * step)))
                }
            } else {
                var delta = [Double](repeating: 0, count: f)
                for s in sensitivities { delta[s.factor] += s.first }
                let sigmaDelta = Self.multiply(scaled, delta)
                let sigma = zip(delta, sigmaDelta).reduce(0) { $0 + $1.0 * $1.1 }.squareRoot()
                let esFactor = NormalDistribution.pdf(z) / alpha
                total = (z * sigma, esFactor * sigma)
                for (i, s) in sensitivities.enumerated() {
                    let marginal = sigma > 0 ? s.first * sigmaDelta[s.factor] / sigma : 0
                    components.append(PositionContribution(
                        id: book.positionGreeks[i].id, valueAtRisk: z * marginal, expectedShortfall: esFactor * marginal))
                }
            }
            result.append(RiskMeasure(
                method: .parametric, model: usesGamma ? "delta-gamma-cornish-fisher" : "delta-normal",
                confidence: confidence, horizonDays: horizon, valueAtRisk: total.valueAtRisk,
                expectedShortfall: total.expectedShortfall, scenarios: nil, contributions: components))
        }
        return result
    }

    /// VaR and ES (as losses) of P&L = δᵀr + ½rᵀ·diag(γ)·r with r ~ N(0, Σ), by Cornish-Fisher.
    static func cornishFisher(
        delta: [Double], gamma: [Double], covariance sigma: [[Double]], alpha: Double
    ) -> (valueAtRisk: Double, expectedShortfall: Double) {
        let n = delta.count
        // M = ΓΣ, v = Σδ.
        let m = (0..<n).map { i in sigma[i].map { gamma[i] * $0 } }
        let v = multiply(sigma, delta)
        let gv = zip(gamma, v).map { $0 * $1 }
        let m2 = (0..<n).map { i in (0..<n).map { j in (0..<n).reduce(0) { $0 + m[i][$1] * m[$1][j] } } }
        var trace1 = 0.0, trace2 = 0.0, trace3 = 0.0, trace4 = 0.0
        for i in 0..<n {
            trace1 += m[i][i]
            trace2 += m2[i][i]
            for j in 0..<n {
                trace3 += m2[i][j] * m[j][i]
                trace4 += m2[i][j] * m2[j][i]
            }
        }
        let deltaSigmaDelta = zip(delta, v).reduce(0) { $0 + $1.0 * $1.1 }
        let vGv = zip(v, gv).reduce(0) { $0 + $1.0 * $1.1 }
        let gvSigmaGv = zip(gv, multiply(sigma, gv)).reduce(0) { $0 + $1.0 * $1.1 }
        let k1 = 0.5 * trace1
        let k2 = deltaSigmaDelta + 0.5 * trace2
        let k3 = 3 * vGv + trace3
        let k4 = 12 * gvSigmaGv + 3 * trace4
        guard k2 > 0 else { return (-k1, -k1) }
        let sd = k2.squareRoot()
        let skew = k3 / (k2 * sd)
        let kurtosis = k4 / (k2 * k2)
        // w(a) = c0 + c1·a + c2·a² + c3·a³.
        let c0 = -skew / 6
        let c1 = 1 - kurtosis / 8 + 5 * skew * skew / 36
        let c2 = skew / 6
        let c3 = kurtosis / 24 - skew * skew / 18
        let a = NormalDistribution.quantile(alpha)
        let w = c0 + a * (c1 + a * (c2 + a * c3))
        // ∫_{-∞}^{a} zⁿ φ(z) dz for n = 0…3.
        let density = NormalDistribution.pdf(a)
        let moment0 = alpha
        let moment1 = -density
        let moment2 = alpha - a * density
        let moment3 = -(a * a + 2) * density
        let tailMean = (c0 * moment0 + c1 * moment1 + c2 * moment2 + c3 * moment3) / alpha
        return (-(k1 + w * sd), -(k1 + tailMean * sd))
    }

    static func multiply(_ matrix: [[Double]], _ vector: [Double]) -> [Double] {
        matrix.map { row in zip(row, vector).reduce(0) { $0 + $1.0 * $1.1 } }
    }
}
