/// The lower-triangular Cholesky factor L of a symmetric positive-definite matrix A = L·Lᵀ.
public struct Cholesky: Sendable, Hashable {
    /// Row-major, `lower[i][j]` = 0 for j > i.
    public let lower: [[Double]]

    /// Throws `.covarianceNotPositiveDefinite` when a pivot is not positive relative to the
    /// matrix's scale (singular: e.g. two identical series, a constant series, fewer dates than
    /// factors; or not a covariance at all), and `.mismatchedInputs` when A is not square and symmetric.
    public init(_ a: [[Double]]) throws(RiskError) {
        let n = a.count
        guard n > 0, a.allSatisfy({ $0.count == n }) else { throw .mismatchedInputs("covariance must be a non-empty square matrix") }
        var scale = 0.0
        for i in 0..<n {
            for j in 0..<n {
                try RiskError.require("covariance[\(i)][\(j)]", a[i][j], "finite") { _ in true }
                guard abs(a[i][j] - a[j][i]) <= 1e-12 * max(abs(a[i][j]), abs(a[j][i]), 1e-300) else {
                    throw .mismatchedInputs("covariance is not symmetric at (\(i), \(j))")
                }
            }
            scale = max(scale, abs(a[i][i]))
        }
        var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for j in 0..<n {
            var pivot = a[j][j]
            for k in 0..<j { pivot -= l[j][k] * l[j][k] }
            guard pivot > 1e-13 * scale else { throw .covarianceNotPositiveDefinite(pivot: j) }
            let diagonal = pivot.squareRoot()
            l[j][j] = diagonal
            for i in (j + 1)..<n {
                var sum = a[i][j]
                for k in 0..<j { sum -= l[i][k] * l[j][k] }
                l[i][j] = sum / diagonal
            }
        }
        lower = l
    }
}
