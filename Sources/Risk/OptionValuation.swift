/// A price and its analytic sensitivities, per unit of the underlying (multiply by quantity and
/// contract multiplier for a position).
///
/// Units: `delta` = ∂V/∂S, `gamma` = ∂²V/∂S², `vega` = ∂V/∂σ per 1.00 of volatility (100 vol
/// points), `theta` = ∂V/∂t per year of calendar time passing (so usually negative), `rho` =
/// ∂V/∂r per 1.00 of rate. The `per…` properties give the desk's usual units.
public struct OptionValuation: Sendable, Hashable, Codable {
    public var price: Double
    public var delta: Double
    public var gamma: Double
    public var vega: Double
    public var theta: Double
    public var rho: Double

    public init(price: Double, delta: Double, gamma: Double, vega: Double, theta: Double, rho: Double) {
        self.price = price
        self.delta = delta
        self.gamma = gamma
        self.vega = vega
        self.theta = theta
        self.rho = rho
    }

    /// Change in value for a one-point (0.01) rise in volatility.
    public var vegaPerVolPoint: Double { vega / 100 }
    /// Change in value for one calendar day passing (theta / 365).
    public var thetaPerDay: Double { theta / 365 }
    /// Change in value for a one-percentage-point (0.01) rise in the rate.
    public var rhoPerPercentPoint: Double { rho / 100 }

    /// The valuation of `quantity` units: every field scaled.
    public func scaled(by quantity: Double) -> OptionValuation {
        OptionValuation(
            price: price * quantity, delta: delta * quantity, gamma: gamma * quantity,
            vega: vega * quantity, theta: theta * quantity, rho: rho * quantity)
    }

    static let zero = OptionValuation(price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0)

    static func + (lhs: OptionValuation, rhs: OptionValuation) -> OptionValuation {
        OptionValuation(
            price: lhs.price + rhs.price, delta: lhs.delta + rhs.delta, gamma: lhs.gamma + rhs.gamma,
            vega: lhs.vega + rhs.vega, theta: lhs.theta + rhs.theta, rho: lhs.rho + rhs.rho)
    }
}
