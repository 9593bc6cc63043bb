import MarketCore
import QuantConfig
import Risk

/// What the risk engine computes each cycle and how often: the `risk.*` settings as core types.
/// The defaults of `init()` are the settings' (`ServiceConfigurationDefaultsTests`).
public struct RiskEngineConfiguration: Sendable {
    public var methods: [VaRMethod]
    public var confidences: [Double]
    public var horizons: [Int]
    /// Daily returns in the look-back window.
    public var lookbackDays: Int
    /// Portfolios whose factors share fewer daily returns are skipped.
    public var minimumReturns: Int
    public var monteCarloPaths: Int
    public var seed: UInt64
    public var riskFreeRate: Double
    /// Volatility of an option without a quote that implies one.
    public var defaultVolatility: Double
    /// Time between full cycles.
    public var interval: Duration
    /// Wait after the first `md_trades` notification before recomputing, collecting more.
    public var debounce: Duration
    /// After a `risk_positions` notification a portfolio is recomputed at once; while positions
    /// keep changing, position-driven cycles start at most once per this interval.
    public var positionsThrottle: Duration
    /// How often every account position's P&L is recorded (`risk.pnl_snapshots`); nil: never.
    public var pnlInterval: Duration?
    /// Run on every portfolio each cycle and stored with the run (`risk.stressScenarios`).
    public var stressScenarios: [StressScenario] = []
    /// Index for portfolio betas (`risk.betaIndex`); nil: no beta.
    public var betaIndex: Symbol?

    public init(
        methods: [VaRMethod] = VaRMethod.allCases, confidences: [Double] = RiskModule.defaultConfidences,
        horizons: [Int] = RiskModule.defaultHorizons, lookbackDays: Int = 250, minimumReturns: Int = 20,
        monteCarloPaths: Int = 100_000, seed: UInt64 = 42, riskFreeRate: Double = 0.04,
        defaultVolatility: Double = 0.25, interval: Duration = .seconds(60), debounce: Duration = .seconds(1),
        positionsThrottle: Duration = .milliseconds(100), pnlInterval: Duration? = .seconds(60), betaIndex: Symbol? = Symbol("SPY")
    ) {
        self.methods = methods
        self.confidences = confidences
        self.horizons = horizons
        self.lookbackDays = lookbackDays
        self.minimumReturns = minimumReturns
        self.monteCarloPaths = monteCarloPaths
        self.seed = seed
        self.riskFreeRate = riskFreeRate
        self.defaultVolatility = defaultVolatility
        self.interval = interval
        self.debounce = debounce
        self.positionsThrottle = positionsThrottle
        self.pnlInterval = pnlInterval
        self.betaIndex = betaIndex
    }

    public init(settings: QuantSettings.Risk) {
        self.init(
            methods: settings.methods.compactMap(VaRMethod.init(storedName:)), confidences: settings.confidences,
            horizons: settings.horizons, lookbackDays: settings.lookbackDays, minimumReturns: settings.minimumReturns,
            monteCarloPaths: settings.monteCarloPaths, seed: settings.seed, riskFreeRate: settings.riskFreeRate,
            defaultVolatility: settings.defaultVolatility, interval: .seconds(settings.intervalSeconds),
            debounce: .milliseconds(settings.debounceMilliseconds),
            positionsThrottle: .milliseconds(settings.positionsThrottleMilliseconds),
            pnlInterval: settings.pnlIntervalSeconds > 0 ? .seconds(settings.pnlIntervalSeconds) : nil, betaIndex: Symbol(settings.betaIndex))
    }

    /// The scenarios of `risk.stressScenarios` as core types, each checked by the core (ranges,
    /// duplicate targets), so a bad file stops the engine at start rather than every cycle.
    public static func stressScenarios(_ definitions: [StressScenarioDefinition]) throws -> [StressScenario] {
        try definitions.map { definition in
            var shocks: [StressShock] = []
            for shock in definition.shocks {
                var symbol: Symbol?
                if let text = shock.symbol {
                    guard let parsed = Symbol(text) else {
                        throw RiskEngineError.invalidInstrument(symbol: text, reason: "not a valid symbol in stress scenario \(definition.name)")
                    }
                    symbol = parsed
                }
                shocks.append(StressShock(
                    symbol: symbol, pricePercent: shock.pricePercent, volatilityPoints: shock.volatilityPoints,
                    rateBasisPoints: shock.rateBasisPoints))
            }
            return try StressScenario(name: definition.name, description: definition.description, shocks: shocks).validated()
        }
    }
}

extension VaRMethod {
    /// The name in `risk.risk_metrics.method` and in the settings: `monte_carlo` rather than the core's `montecarlo`.
    public var storedName: String { self == .monteCarlo ? "monte_carlo" : rawValue }

    public init?(storedName: String) {
        guard let method = VaRMethod.allCases.first(where: { $0.storedName == storedName || $0.rawValue == storedName }) else {
            return nil
        }
        self = method
    }
}
