/// # Risk
///
/// The pure risk core of quant-pipeline: option pricing (Black-Scholes-Merton with a continuous
/// dividend yield, Black-76) and Greeks, implied volatility, portfolio Value at Risk and Expected
/// Shortfall by historical simulation, parametric (delta-normal, delta-gamma Cornish-Fisher) and
/// Monte Carlo methods, component contributions, VaR backtests (Kupiec, Christoffersen) and hedge
/// proposals.
///
/// Owns: the maths and its value types. May import: `MarketCore` and the C maths library
/// (`Glibc`/`Darwin`) for `exp`, `log`, `erfc`. Never imports Foundation, a database driver or
/// anything that does I/O; every result is deterministic given its inputs and seed. Adapters
/// (`quant risk …`, `quant risk-engine`) read files or Postgres and call in here.
///
/// Conventions (see `docs/risk.md`): losses are positive numbers; VaR and ES are reported as
/// positive losses; rates, yields and volatilities are annualised and continuously compounded;
/// time is in years (ACT/365); risk factors are daily log returns of the underlyings.
public enum RiskModule {
    /// Confidence levels used when none are given.
    public static let defaultConfidences: [Double] = [0.95, 0.975, 0.99]
    /// Horizons in trading days used when none are given.
    public static let defaultHorizons: [Int] = [1, 10]
}
