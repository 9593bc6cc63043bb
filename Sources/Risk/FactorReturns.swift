import MarketCore

/// A matrix of daily log returns: one row per date, one column per risk factor (an underlying).
public struct FactorReturns: Sendable, Hashable {
    public let symbols: [Symbol]
    /// The date each return ends on.
    public let dates: [CivilDate]
    /// `returns[t][j]`: log return of `symbols[j]` ending on `dates[t]`.
    public let returns: [[Double]]

    public init(symbols: [Symbol], dates: [CivilDate], returns: [[Double]]) {
        self.symbols = symbols
        self.dates = dates
        self.returns = returns
    }

    public var count: Int { returns.count }

    /// Sample covariance (divisor n − 1) of the daily returns around their sample mean.
    public func covariance() throws(RiskError) -> [[Double]] {
        let n = returns.count
        guard n >= 2 else { throw .historyTooShort(needed: 2, available: n) }
        let k = symbols.count
        var mean = [Double](repeating: 0, count: k)
        for row in returns { for j in 0..<k { mean[j] += row[j] } }
        for j in 0..<k { mean[j] /= Double(n) }
        var result = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for row in returns {
            for i in 0..<k {
                let di = row[i] - mean[i]
                for j in i..<k { result[i][j] += di * (row[j] - mean[j]) }
            }
        }
        for i in 0..<k {
            for j in i..<k {
                result[i][j] /= Double(n - 1)
                result[j][i] = result[i][j]
            }
        }
        return result
    }

    /// h-day scenarios from this history: either each daily return scaled by √h, or the sums of
    /// h consecutive daily log returns (overlapping windows, n − h + 1 of them).
    public func horizonScenarios(days: Int, scaling: HistoricalHorizonScaling) throws(RiskError) -> [[Double]] {
        guard days >= 1 else { throw .invalidParameter(name: "horizon", value: Double(days), requirement: ">= 1 day") }
        switch scaling {
        case .squareRootOfTime:
            let factor = Double(days).squareRoot()
            return days == 1 ? returns : returns.map { $0.map { $0 * factor } }
        case .overlapping:
            guard returns.count >= days else { throw .historyTooShort(needed: days + 1, available: returns.count + 1) }
            let k = symbols.count
            var window = [Double](repeating: 0, count: k)
            var scenarios: [[Double]] = []
            scenarios.reserveCapacity(returns.count - days + 1)
            for t in 0..<returns.count {
                for j in 0..<k { window[j] += returns[t][j] }
                if t >= days { for j in 0..<k { window[j] -= returns[t - days][j] } }
                if t >= days - 1 { scenarios.append(window) }
            }
            return scenarios
        }
    }
}

/// How historical simulation turns daily returns into h-day scenarios.
public enum HistoricalHorizonScaling: String, Sendable, Hashable, Codable, CaseIterable {
    /// Each daily log return multiplied by √h (keeps every scenario; assumes i.i.d. returns).
    case squareRootOfTime = "sqrt"
    /// Overlapping h-day log returns (n − h + 1 scenarios, serially dependent).
    case overlapping
}
