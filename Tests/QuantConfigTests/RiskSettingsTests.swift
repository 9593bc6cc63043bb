import Foundation
import QuantConfig
import Testing

@Suite struct RiskSettingsTests {
    @Test func defaultsParseIntoTypedValues() throws {
        let risk = try QuantSettings(ConfigSource(file: "\(ConfigTests.root)/config/config.yaml", environment: [:])).risk
        #expect(risk.methods == ["historical", "parametric", "monte_carlo"])
        #expect(risk.confidences == [0.95, 0.975, 0.99])
        #expect(risk.horizons == [1, 10])
        #expect(risk.lookbackDays == 250 && risk.monteCarloPaths == 100_000 && risk.seed == 42)
        #expect(risk.riskFreeRate == 0.04 && risk.defaultVolatility == 0.25)
    }

    @Test func percentagesAndAliasesAreAcceptedAndBadListsNamed() throws {
        let risk = try QuantSettings(ConfigSource(file: "\(ConfigTests.root)/config/config.yaml", environment: [
            "QUANT_RISK_CONFIDENCES": "99, 0.95", "QUANT_RISK_METHODS": "montecarlo", "QUANT_RISK_HORIZONS": "5",
        ])).risk
        #expect(risk.confidences == [0.99, 0.95])
        #expect(risk.methods == ["monte_carlo"])
        #expect(risk.horizons == [5])
        #expect(throws: ConfigSource.LoadError.invalidValue(
            key: "risk.methods", variable: "QUANT_RISK_METHODS", value: "historical,garch",
            expected: "historical, parametric and/or monte_carlo")) {
            try QuantSettings(ConfigSource(file: "\(ConfigTests.root)/config/config.yaml", environment: ["QUANT_RISK_METHODS": "historical,garch"]))
        }
        for (variable, value) in [("QUANT_RISK_CONFIDENCES", "1.5,0"), ("QUANT_RISK_HORIZONS", "0"),
                                  ("QUANT_RISK_DEFAULT_VOLATILITY", "-0.2"), ("QUANT_RISK_SEED", "-1")] {
            #expect(throws: ConfigSource.LoadError.self) {
                try QuantSettings(ConfigSource(file: "\(ConfigTests.root)/config/config.yaml", environment: [variable: value]))
            }
        }
    }
}
