import Foundation
import Yams

/// Reads settings in three layers: built-in defaults, then the YAML file, then the environment.
public struct ConfigSource: Sendable {
    /// The resolved value of every key, by dotted path.
    public private(set) var values: [String: String]
    /// Where each value came from, for `quant config` and error messages.
    public private(set) var origins: [String: String]

    public enum LoadError: Error, CustomStringConvertible, Equatable {
        case unreadableFile(String, String)
        case notAMapping(String)
        case unknownKey(String, file: String)
        case invalidValue(key: String, variable: String, value: String, expected: String)

        public var description: String {
            switch self {
            case let .unreadableFile(path, reason): "cannot read config file \(path): \(reason)"
            case let .notAMapping(path): "config file \(path) must be a YAML mapping of sections"
            case let .unknownKey(key, file): "unknown setting '\(key)' in \(file) (see config/config.yaml for the list)"
            case let .invalidValue(key, variable, value, expected):
                "setting \(key) (\(variable)) = '\(value)': expected \(expected)"
            }
        }
    }

    /// Every setting at its `ConfigKey` default: nothing read from a file or the environment. What
    /// a service's configuration struct defaults to must equal what this gives (tests check it).
    public static var defaults: ConfigSource {
        var source = ConfigSource(values: [:], origins: [:])
        for key in ConfigKey.all {
            source.values[key.path] = key.defaultValue
            source.origins[key.path] = "default"
        }
        return source
    }

    private init(values: [String: String], origins: [String: String]) {
        (self.values, self.origins) = (values, origins)
    }

    /// - Parameters:
    ///   - file: a YAML file; nil means `QUANT_CONFIG`, else `config/config.yaml` if it exists.
    ///   - environment: usually `ProcessInfo.processInfo.environment`.
    public init(file: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self = .defaults
        let path = file ?? environment["QUANT_CONFIG"] ?? "config/config.yaml"
        let explicit = file != nil || environment["QUANT_CONFIG"] != nil
        if FileManager.default.fileExists(atPath: path) {
            try merge(yamlFile: path)
        } else if explicit {
            throw LoadError.unreadableFile(path, "no such file")
        }
        for key in ConfigKey.all {
            if let value = environment[key.environmentVariable] {
                values[key.path] = value
                origins[key.path] = "env \(key.environmentVariable)"
            }
        }
    }

    private mutating func merge(yamlFile path: String) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw LoadError.unreadableFile(path, "\(error)")
        }
        let node: Any?
        do { node = try Yams.load(yaml: text) } catch {
            throw LoadError.unreadableFile(path, "\(error)")
        }
        guard let root = node as? [String: Any] else {
            if node == nil { return }
            throw LoadError.notAMapping(path)
        }
        var flat: [String: String] = [:]
        Self.flatten(root, prefix: "", into: &flat)
        for (key, value) in flat {
            guard ConfigKey.named(key) != nil else { throw LoadError.unknownKey(key, file: path) }
            values[key] = value
            origins[key] = path
        }
    }

    static func flatten(_ node: [String: Any], prefix: String, into flat: inout [String: String]) {
        for (name, value) in node {
            let key = prefix.isEmpty ? name : "\(prefix).\(name)"
            if let child = value as? [String: Any] {
                flatten(child, prefix: key, into: &flat)
            } else if value is NSNull {
                flat[key] = ""
            } else {
                flat[key] = "\(value)"
            }
        }
    }

    public func string(_ path: String) -> String {
        precondition(ConfigKey.named(path) != nil, "unregistered setting \(path)")
        return values[path] ?? ""
    }

    public func int(_ path: String) throws -> Int {
        let raw = string(path)
        guard let value = Int(raw.trimmingCharacters(in: .whitespaces)) else {
            throw LoadError.invalidValue(
                key: path, variable: ConfigKey.named(path)!.environmentVariable, value: raw, expected: "an integer")
        }
        return value
    }

    public func positiveInt(_ path: String) throws -> Int {
        let value = try int(path)
        guard value > 0 else {
            throw LoadError.invalidValue(
                key: path, variable: ConfigKey.named(path)!.environmentVariable, value: "\(value)",
                expected: "a positive integer")
        }
        return value
    }

    public func nonNegativeInt(_ path: String) throws -> Int {
        let value = try int(path)
        guard value >= 0 else {
            throw LoadError.invalidValue(
                key: path, variable: ConfigKey.named(path)!.environmentVariable, value: "\(value)",
                expected: "zero or a positive integer")
        }
        return value
    }

    /// `true` or `false`, in any case.
    public func bool(_ path: String) throws -> Bool {
        let value = string(path).trimmingCharacters(in: .whitespaces).lowercased()
        guard ["true", "false"].contains(value) else {
            throw LoadError.invalidValue(
                key: path, variable: ConfigKey.named(path)!.environmentVariable, value: value, expected: "true or false")
        }
        return value == "true"
    }

    /// One of `choices`, spelled exactly.
    public func oneOf(_ path: String, _ choices: [String]) throws -> String {
        let value = string(path).trimmingCharacters(in: .whitespaces)
        guard choices.contains(value) else {
            throw LoadError.invalidValue(
                key: path, variable: ConfigKey.named(path)!.environmentVariable, value: value,
                expected: choices.joined(separator: "|"))
        }
        return value
    }

    /// A TCP port; 0 is allowed (an ephemeral port, or "off" where a setting says so).
    public func port(_ path: String, zeroMeans: String = "any free port") throws -> Int {
        let value = try int(path)
        guard (0...65_535).contains(value) else {
            throw LoadError.invalidValue(
                key: path, variable: ConfigKey.named(path)!.environmentVariable, value: "\(value)",
                expected: "a port from 0 to 65535 (0: \(zeroMeans))")
        }
        return value
    }
}
