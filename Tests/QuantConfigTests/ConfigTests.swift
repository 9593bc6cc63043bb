import Foundation
import QuantConfig
import Testing

@Suite struct ConfigTests {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    @Test func environmentVariableNames() {
        #expect(ConfigKey.named("database.url")?.environmentVariable == "DATABASE_URL")
        #expect(ConfigKey.named("kafka.brokers")?.environmentVariable == "KAFKA_BROKERS")
        #expect(ConfigKey.named("database.poolSize")?.environmentVariable == "QUANT_DATABASE_POOL_SIZE")
        #expect(ConfigKey.named("partitions.maintenanceIntervalSeconds")?.environmentVariable
                == "QUANT_PARTITIONS_MAINTENANCE_INTERVAL_SECONDS")
    }

    @Test func theShippedFileMatchesTheDefaultsAndNamesEveryKey() throws {
        let source = try ConfigSource(file: "\(Self.root)/config/config.yaml", environment: [:])
        for key in ConfigKey.all {
            #expect(source.origins[key.path] != "default", "config.yaml does not document \(key.path)")
            #expect(source.values[key.path] == key.defaultValue, "config.yaml and the default of \(key.path) differ")
        }
    }

    @Test func envExampleListsEveryVariable() throws {
        let text = try String(contentsOfFile: "\(Self.root)/.env.example", encoding: .utf8)
        let names = Set(text.split(separator: "\n").compactMap { line -> String? in
            guard !line.hasPrefix("#"), let eq = line.firstIndex(of: "=") else { return nil }
            return String(line[..<eq])
        })
        for key in ConfigKey.all {
            #expect(names.contains(key.environmentVariable), ".env.example lacks \(key.environmentVariable)")
        }
    }

    @Test func environmentOverridesTheFile() throws {
        let settings = try QuantSettings(ConfigSource(
            file: "\(Self.root)/config/config.yaml",
            environment: ["DATABASE_URL": "postgres://u@db:5432/x", "KAFKA_BROKERS": "k1:9092,k2:9092",
                          "QUANT_DATABASE_POOL_SIZE": "3"]))
        #expect(settings.database.url == "postgres://u@db:5432/x")
        #expect(settings.kafka.brokers == "k1:9092,k2:9092")
        #expect(settings.database.poolSize == 3)
        #expect(settings.source.origins["database.poolSize"] == "env QUANT_DATABASE_POOL_SIZE")
    }

    @Test func badValuesAndUnknownKeysAreClearErrors() throws {
        #expect(throws: ConfigSource.LoadError.invalidValue(
            key: "database.poolSize", variable: "QUANT_DATABASE_POOL_SIZE", value: "lots", expected: "an integer")) {
            try QuantSettings(ConfigSource(file: "\(Self.root)/config/config.yaml", environment: ["QUANT_DATABASE_POOL_SIZE": "lots"]))
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).yaml").path
        try "database:\n  urll: x\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(throws: ConfigSource.LoadError.unknownKey("database.urll", file: file)) {
            try ConfigSource(file: file, environment: [:])
        }
        #expect(throws: ConfigSource.LoadError.self) {
            try ConfigSource(file: "/nonexistent/config.yaml", environment: [:])
        }
    }

    @Test func kafkaSecurityIsCheckedAtLoad() throws {
        let file = "\(Self.root)/config/config.yaml"
        #expect(throws: ConfigSource.LoadError.invalidValue(
            key: "kafka.securityProtocol", variable: "QUANT_KAFKA_SECURITY_PROTOCOL", value: "tls",
            expected: "plaintext|ssl|sasl_plaintext|sasl_ssl")) {
            try QuantSettings(ConfigSource(file: file, environment: ["QUANT_KAFKA_SECURITY_PROTOCOL": "tls"]))
        }
        // SASL needs a user and a password file; a password is never a setting of its own.
        #expect(throws: ConfigSource.LoadError.self) {
            try QuantSettings(ConfigSource(file: file, environment: ["QUANT_KAFKA_SECURITY_PROTOCOL": "sasl_ssl"]))
        }
        #expect(throws: ConfigSource.LoadError.self) {
            try QuantSettings(ConfigSource(file: file, environment: [
                "QUANT_KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "QUANT_KAFKA_SASL_USERNAME": "p", "QUANT_KAFKA_SASL_MECHANISM": "GSSAPI"]))
        }
        let settings = try QuantSettings(ConfigSource(file: file, environment: [
            "QUANT_KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "QUANT_KAFKA_SASL_USERNAME": "processor",
            "QUANT_KAFKA_SASL_PASSWORD_FILE": "/run/secrets/kafka", "QUANT_KAFKA_SSL_CA_LOCATION": "/etc/ca.pem"]))
        #expect(settings.kafka.securityProtocol == "sasl_ssl" && settings.kafka.saslMechanism == "SCRAM-SHA-512")
        #expect(settings.kafka.sslCaLocation == "/etc/ca.pem")
    }
}
