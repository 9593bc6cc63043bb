import Foundation

/// Settings of `quant risk-engine` (keys `risk.*`), parsed and range-checked here so the service
/// starts only with usable values.
extension QuantSettings {
    public struct Risk: Sendable {
        public var intervalSeconds: Int
        public var debounceMilliseconds: Int
        public var positionsThrottleMilliseconds: Int
        /// 0: P&L is not recorded.
        public var pnlIntervalSeconds: Int
        /// `historical`, `parametric`, `monte_carlo` (the names `risk.risk_metrics.method` uses).
        public var methods: [String]
        /// Fractions in (0, 1); the file may say 0.99 or 99.
        public var confidences: [Double]
        public var horizons: [Int]
        public var lookbackDays: Int
        public var minimumReturns: Int
        public var monteCarloPaths: Int
        public var seed: UInt64
        public var riskFreeRate: Double
        public var defaultVolatility: Double
        /// Path of the standard stress scenarios file; empty: none.
        public var stressScenarios: String
        /// Index symbol for portfolio betas; empty: none.
        public var betaIndex: String

        public static let methodNames = ["historical", "parametric", "monte_carlo"]

        init(_ source: ConfigSource) throws {
            intervalSeconds = try source.positiveInt("risk.intervalSeconds")
            debounceMilliseconds = try source.int("risk.debounceMilliseconds")
            guard debounceMilliseconds >= 0 else {
                throw Self.invalid(source, "risk.debounceMilliseconds", "a whole number of milliseconds >= 0")
            }
            positionsThrottleMilliseconds = try source.nonNegativeInt("risk.positionsThrottleMilliseconds")
            pnlIntervalSeconds = try source.nonNegativeInt("risk.pnlIntervalSeconds")
            methods = try Self.list(source, "risk.methods", "historical, parametric and/or monte_carlo") { text in
                let name = text == "montecarlo" ? "monte_carlo" : text
                return Self.methodNames.contains(name) ? name : nil
            }
            confidences = try Self.list(source, "risk.confidences", "confidence levels in (0, 1) or (0, 100)") { text in
                guard let value = Double(text), value.isFinite else { return nil }
                let fraction = value > 1 ? value / 100 : value
                return fraction > 0 && fraction < 1 ? fraction : nil
            }
            horizons = try Self.list(source, "risk.horizons", "whole numbers of days from 1 to 1000") { text in
                guard let value = Int(text), (1...1_000).contains(value) else { return nil }
                return value
            }
            lookbackDays = try source.positiveInt("risk.lookbackDays")
            minimumReturns = try source.positiveInt("risk.minimumReturns")
            guard minimumReturns >= 2 else { throw Self.invalid(source, "risk.minimumReturns", "at least 2") }
            monteCarloPaths = try source.positiveInt("risk.monteCarloPaths")
            guard monteCarloPaths >= 2 else { throw Self.invalid(source, "risk.monteCarloPaths", "at least 2") }
            guard let seed = UInt64(source.string("risk.seed").trimmingCharacters(in: .whitespaces)) else {
                throw Self.invalid(source, "risk.seed", "an unsigned 64-bit integer")
            }
            self.seed = seed
            guard let rate = Double(source.string("risk.riskFreeRate").trimmingCharacters(in: .whitespaces)),
                  rate.isFinite, abs(rate) < 1 else {
                throw Self.invalid(source, "risk.riskFreeRate", "an annual rate as a decimal, e.g. 0.04")
            }
            riskFreeRate = rate
            guard let volatility = Double(source.string("risk.defaultVolatility").trimmingCharacters(in: .whitespaces)),
                  volatility.isFinite, volatility > 0, volatility < 10 else {
                throw Self.invalid(source, "risk.defaultVolatility", "an annual volatility as a decimal, e.g. 0.25")
            }
            defaultVolatility = volatility
            stressScenarios = source.string("risk.stressScenarios").trimmingCharacters(in: .whitespaces)
            betaIndex = source.string("risk.betaIndex").trimmingCharacters(in: .whitespaces)
        }

        private static func list<T: Equatable>(
            _ source: ConfigSource, _ key: String, _ expected: String, _ parse: (String) -> T?
        ) throws -> [T] {
            let items = source.string(key).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            var values: [T] = []
            for item in items {
                guard let value = parse(item) else { throw invalid(source, key, expected) }
                if !values.contains(value) { values.append(value) }
            }
            guard !values.isEmpty else { throw invalid(source, key, expected) }
            return values
        }

        private static func invalid(_ source: ConfigSource, _ key: String, _ expected: String) -> ConfigSource.LoadError {
            .invalidValue(key: key, variable: ConfigKey.named(key)!.environmentVariable, value: source.string(key), expected: expected)
        }
    }
}
