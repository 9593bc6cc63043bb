/// The chi-squared distribution with an integer number of degrees of freedom.
public enum ChiSquared {
    /// P(X > x), the p-value of a likelihood-ratio statistic x.
    ///
    /// Exact for integer d.o.f. via the regularised upper incomplete gamma Q(ν/2, x/2) and its
    /// recurrence Q(a+1, y) = Q(a, y) + yᵃe⁻ʸ/Γ(a+1), starting from Q(½, y) = erfc(√y) (odd ν)
    /// or Q(1, y) = e⁻ʸ (even ν). For ν = 1 this is erfc(√(x/2)); for ν = 2, e^(−x/2).
    public static func survival(_ x: Double, degreesOfFreedom: Int) throws(RiskError) -> Double {
        guard degreesOfFreedom >= 1 else {
            throw .invalidParameter(name: "degrees of freedom", value: Double(degreesOfFreedom), requirement: ">= 1")
        }
        try RiskError.require("chi-squared statistic", x, ">= 0") { $0 >= 0 }
        let y = x / 2
        var a: Double
        var q: Double
        var term: Double  // yᵃ e⁻ʸ / Γ(a+1) for the current a
        if degreesOfFreedom % 2 == 1 {
            a = 0.5
            q = Math.erfc(y.squareRoot())
            term = y.squareRoot() * Math.exp(-y) / 0.886_226_925_452_758_013_6  // Γ(3/2) = √π/2
        } else {
            a = 1
            q = Math.exp(-y)
            term = y * Math.exp(-y)  // Γ(2) = 1
        }
        while 2 * a < Double(degreesOfFreedom) {
            q += term
            a += 1
            term *= y / a
        }
        return min(max(q, 0), 1)
    }

    /// P(X ≤ x).
    public static func cdf(_ x: Double, degreesOfFreedom: Int) throws(RiskError) -> Double {
        1 - (try survival(x, degreesOfFreedom: degreesOfFreedom))
    }
}
