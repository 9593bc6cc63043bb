import ArgumentParser
import Foundation
import Risk

/// `quant risk price|var|hedge`: the risk maths as a calculator, reading files and printing JSON, so a
/// quant can check a number without any service running. The maths lives in the `Risk` target.
struct RiskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk",
        abstract: "Option prices, Greeks, implied volatility, VaR and Expected Shortfall as JSON (see docs/risk.md).",
        subcommands: [RiskPriceCommand.self, RiskVaRCommand.self, RiskHedgeCommand.self]
    )
}

/// Shared plumbing of the risk subcommands.
enum RiskCLI {
    /// Prints `value` as pretty, key-sorted JSON on standard output.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    static func readText(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// Positions from JSON (`{"positions": […]}` or a bare array) or, for a `.csv` path, CSV.
    static func loadPortfolio(_ path: String) throws -> Portfolio {
        let text = try readText(path)
        if path.lowercased().hasSuffix(".csv") { return try Portfolio.parseCSV(text) }
        let data = Data(text.utf8)
        do {
            if text.drop(while: \.isWhitespace).first == "[" {
                return Portfolio(positions: try JSONDecoder().decode([RiskPosition].self, from: data))
            }
            return try JSONDecoder().decode(Portfolio.self, from: data)
        } catch let error as DecodingError {
            throw ValidationError("cannot read positions \(path): \(error)")
        }
    }

    /// "0.95,97.5,0.99" → [0.95, 0.975, 0.99]: values above 1 are percentages.
    static func confidences(_ text: String) throws -> [Double] {
        try list(text, "confidence").map { value in
            let fraction = value > 1 ? value / 100 : value
            guard fraction > 0, fraction < 1 else { throw ValidationError("confidence \(value) must lie in (0, 1) or (0, 100)") }
            return fraction
        }
    }

    static func horizons(_ text: String) throws -> [Int] {
        try list(text, "horizon").map { value in
            guard value >= 1, value == value.rounded(), value <= 1_000 else {
                throw ValidationError("horizon \(value) must be a whole number of days from 1 to 1000")
            }
            return Int(value)
        }
    }

    private static func list(_ text: String, _ name: String) throws -> [Double] {
        let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0!.isFinite }) else {
            throw ValidationError("--\(name) takes comma-separated numbers, got '\(text)'")
        }
        return values.map { $0! }
    }
}
