import Risk

/// Why one portfolio was skipped in a cycle. The cycle logs it and goes on with the others;
/// nothing is stored for that portfolio (never a NaN).
public enum RiskEngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No position with a non-zero quantity.
    case noPositions
    /// A position's instrument cannot be valued (e.g. an option whose underlying is missing).
    case invalidInstrument(symbol: String, reason: String)
    /// An option expired before the valuation date: close the position or roll it.
    case expiredOption(symbol: String, expiry: CivilDate, valuationDate: CivilDate)
    /// Fewer common daily returns than `risk.minimumReturns`.
    case historyTooShort(needed: Int, available: Int)
    /// The risk core refused the inputs.
    case risk(RiskError)
    /// A result that is not a finite number (the core never returns one; checked before storing anyway).
    case nonFiniteResult(String)

    public var description: String {
        switch self {
        case .noPositions: "the portfolio has no positions with a non-zero quantity"
        case let .invalidInstrument(symbol, reason): "instrument \(symbol) cannot be valued: \(reason)"
        case let .expiredOption(symbol, expiry, date): "option \(symbol) expired on \(expiry), before the valuation date \(date)"
        case let .historyTooShort(needed, available):
            "too little price history: \(available) common daily returns, at least \(needed) needed (risk.minimumReturns)"
        case let .risk(error): error.description
        case let .nonFiniteResult(what): "non-finite result: \(what)"
        }
    }
}
