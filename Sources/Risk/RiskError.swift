/// Every way the risk core refuses its inputs. The core never hands back a NaN or an infinity:
/// it throws one of these instead.
public enum RiskError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A parameter that must be finite (and often positive) was not; `name` says which.
    case invalidParameter(name: String, value: Double, requirement: String)
    /// No volatility reproduces the price: it is below the no-arbitrage lower bound (intrinsic
    /// value, discounted) or at/above the upper bound.
    case noImpliedVolatility(price: Double, lowerBound: Double, upperBound: Double)
    /// The implied volatility search did not converge (should not happen for prices inside the bounds).
    case impliedVolatilityDidNotConverge(price: Double)
    /// The price history is empty.
    case emptyHistory
    /// Fewer observations than the method needs.
    case historyTooShort(needed: Int, available: Int)
    /// A position refers to a symbol that has no prices (or the prices have no common dates).
    case missingPrices(symbol: String)
    /// Inputs do not line up: series of different lengths, a covariance of the wrong size, …
    case mismatchedInputs(String)
    /// The covariance matrix is not positive definite (singular or not a covariance), so it has no Cholesky factor.
    case covarianceNotPositiveDefinite(pivot: Int)
    /// The portfolio has no positions.
    case emptyPortfolio
    /// The hedge instrument cannot neutralise the exposure (e.g. it has no gamma).
    case hedgeImpossible(String)
    /// A line of an input file could not be read.
    case malformedInput(line: Int, reason: String)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, requirement):
            "invalid \(name) = \(value): must be \(requirement)"
        case let .noImpliedVolatility(price, lower, upper):
            "no volatility fits price \(price): it must lie strictly between \(lower) and \(upper)"
        case let .impliedVolatilityDidNotConverge(price):
            "implied volatility search did not converge for price \(price)"
        case .emptyHistory:
            "the price history is empty"
        case let .historyTooShort(needed, available):
            "the price history is too short: \(needed) observations needed, \(available) available"
        case let .missingPrices(symbol):
            "no prices for symbol \(symbol)"
        case let .mismatchedInputs(text):
            "mismatched inputs: \(text)"
        case let .covarianceNotPositiveDefinite(pivot):
            "the covariance matrix is not positive definite (Cholesky failed at pivot \(pivot)); remove duplicate or constant series"
        case .emptyPortfolio:
            "the portfolio has no positions"
        case let .hedgeImpossible(text):
            "no hedge: \(text)"
        case let .malformedInput(line, reason):
            "line \(line): \(reason)"
        }
    }
}

extension RiskError {
    /// Throws unless `value` is finite and satisfies `condition`.
    static func require(
        _ name: String, _ value: Double, _ requirement: String, _ condition: (Double) -> Bool
    ) throws(RiskError) {
        guard value.isFinite, condition(value) else {
            throw .invalidParameter(name: name, value: value, requirement: requirement)
        }
    }
}
