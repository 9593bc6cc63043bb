import Foundation
import Yams

/// The standard stress scenarios of `config/stress-scenarios.yaml` (key `risk.stressScenarios`),
/// read as plain values; the risk engine turns them into `Risk.StressScenario` and the core checks
/// the ranges. Unknown keys are refused, so a misspelt move never silently becomes zero.
public struct StressScenarioDefinition: Sendable, Hashable {
    public struct Shock: Sendable, Hashable {
        /// nil: every risk factor.
        public var symbol: String?
        public var pricePercent: Double
        public var volatilityPoints: Double
        public var rateBasisPoints: Double
    }

    public var name: String
    public var description: String?
    public var shocks: [Shock]
}

public enum StressScenarioFile {
    public struct LoadError: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var reason: String
        public var description: String { "stress scenarios \(path): \(reason)" }
    }

    /// Reads `path`; an empty path means no scenarios.
    public static func load(path: String) throws(LoadError) -> [StressScenarioDefinition] {
        guard !path.isEmpty else { return [] }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw LoadError(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try parse(yaml: text, path: path)
    }

    public static func parse(yaml text: String, path: String = "<text>") throws(LoadError) -> [StressScenarioDefinition] {
        func fail(_ reason: String) -> LoadError { LoadError(path: path, reason: reason) }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw fail("not YAML: \(error)") }
        guard let top = root as? [String: Any], Set(top.keys) == ["scenarios"], let list = top["scenarios"] as? [Any] else {
            throw fail("expected a mapping with one key, scenarios: a list")
        }
        var names = Set<String>()
        var result: [StressScenarioDefinition] = []
        for (index, item) in list.enumerated() {
            guard let entry = item as? [String: Any] else { throw fail("scenario \(index + 1) is not a mapping") }
            guard let name = entry["name"] as? String, !name.isEmpty else { throw fail("scenario \(index + 1) needs a name") }
            if let unknown = Set(entry.keys).subtracting(["name", "description", "shocks"]).sorted().first {
                throw fail("scenario \(name): unknown key \(unknown)")
            }
            guard names.insert(name).inserted else { throw fail("scenario \(name) appears twice") }
            guard let shocks = (entry["shocks"] ?? [Any]()) as? [Any] else { throw fail("scenario \(name): shocks must be a list") }
            var parsed: [StressScenarioDefinition.Shock] = []
            for shock in shocks {
                guard let fields = shock as? [String: Any] else { throw fail("scenario \(name): a shock is not a mapping") }
                let known: Set<String> = ["symbol", "pricePercent", "volatilityPoints", "rateBasisPoints"]
                if let unknown = Set(fields.keys).subtracting(known).sorted().first {
                    throw fail("scenario \(name): unknown shock key \(unknown) (expected \(known.sorted().joined(separator: ", ")))")
                }
                func number(_ key: String) throws(LoadError) -> Double {
                    guard let value = fields[key] else { return 0 }
                    if let number = value as? Double, number.isFinite { return number }
                    if let number = value as? Int { return Double(number) }
                    throw fail("scenario \(name): \(key) must be a number")
                }
                var symbol: String?
                if let value = fields["symbol"] {
                    guard let text = value as? String, !text.isEmpty else { throw fail("scenario \(name): symbol must be text") }
                    symbol = text
                }
                parsed.append(.init(
                    symbol: symbol, pricePercent: try number("pricePercent"), volatilityPoints: try number("volatilityPoints"),
                    rateBasisPoints: try number("rateBasisPoints")))
            }
            result.append(StressScenarioDefinition(name: name, description: entry["description"] as? String, shocks: parsed))
        }
        return result
    }
}
