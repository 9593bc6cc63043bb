/// The standard normal distribution: density, distribution function and its inverse.
public enum NormalDistribution {
    /// φ(x), the density.
    public static func pdf(_ x: Double) -> Double {
        0.398_942_280_401_432_677_94 * Math.exp(-0.5 * x * x)
    }

    /// Φ(x), via erfc so that both tails keep full relative precision.
    public static func cdf(_ x: Double) -> Double {
        0.5 * Math.erfc(-x / 1.414_213_562_373_095_048_80)
    }

    /// Φ⁻¹(p) for 0 < p < 1: Acklam's rational approximation (relative error 1.15e-9) refined by
    /// one Halley step on `cdf`, which brings it to full double precision.
    public static func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "quantile needs 0 < p < 1")
        let a = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
        let b = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01)
        let c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
        let d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00)
        let low = 0.02425
        var x: Double
        if p < low {
            let q = Math.sqrt(-2 * Math.log(p))
            x = (((((c.0 * q + c.1) * q + c.2) * q + c.3) * q + c.4) * q + c.5)
                / ((((d.0 * q + d.1) * q + d.2) * q + d.3) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5
            let r = q * q
            x = (((((a.0 * r + a.1) * r + a.2) * r + a.3) * r + a.4) * r + a.5) * q
                / (((((b.0 * r + b.1) * r + b.2) * r + b.3) * r + b.4) * r + 1)
        } else {
            let q = Math.sqrt(-2 * Math.log(1 - p))
            x = -(((((c.0 * q + c.1) * q + c.2) * q + c.3) * q + c.4) * q + c.5)
                / ((((d.0 * q + d.1) * q + d.2) * q + d.3) * q + 1)
        }
        // Halley refinement: e = Φ(x) − p, u = e·√(2π)·exp(x²/2).
        let e = cdf(x) - p
        let u = e * 2.506_628_274_631_000_502_4 * Math.exp(0.5 * x * x)
        x -= u / (1 + 0.5 * x * u)
        return x
    }
}
