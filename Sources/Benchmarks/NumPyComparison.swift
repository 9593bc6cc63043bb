import Foundation

/// The same price + 5 Greeks in vectorised NumPy (`scripts/bench/bsm_numpy.py`, run by the
/// checkout's `.venv/bin/python`) for `quant bench risk`'s ratio Swift/NumPy, or why it was skipped.
public struct NumPyComparison: Encodable, Sendable {
    public var options: Int?
    public var bestSeconds: Double?
    public var medianSeconds: Double?
    public var optionsPerSecond: Double?
    public var swiftOptionsPerSecond: Double?
    /// The batched Swift pricer's options/s (one thread) ÷ NumPy's.
    public var swiftOverNumPy: Double?
    /// The scalar pricer's (`OptionPricer.valuation` per option) ÷ NumPy's.
    public var scalarOverNumPy: Double?
    public var skipped: String?

    public init(options: Int? = nil, bestSeconds: Double? = nil, medianSeconds: Double? = nil, optionsPerSecond: Double? = nil,
                skipped: String? = nil) {
        (self.options, self.bestSeconds, self.medianSeconds, self.optionsPerSecond, self.skipped) =
            (options, bestSeconds, medianSeconds, optionsPerSecond, skipped)
    }

    /// Runs `scripts/bench/bsm_numpy.py` with the checkout's venv on `options` options.
    public static func run(options: Int, repetitions: Int, checkout: URL?) -> NumPyComparison {
        guard let root = checkout else {
            return NumPyComparison(skipped: "cannot find the checkout (run from it or set QUANT_HOME)")
        }
        let python = root.appendingPathComponent(".venv/bin/python")
        let script = root.appendingPathComponent("scripts/bench/bsm_numpy.py")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            return NumPyComparison(skipped: "no Python venv at \(python.path) (run scripts/setup)")
        }
        guard FileManager.default.fileExists(atPath: script.path) else {
            return NumPyComparison(skipped: "\(script.path) is missing")
        }
        let process = Process()
        process.executableURL = python
        process.arguments = [script.path, "--options", String(options), "--repetitions", String(repetitions)]
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch {
            return NumPyComparison(skipped: "cannot run \(python.path): \(error.localizedDescription)")
        }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let why = process.terminationStatus == 3
                ? errors : "bsm_numpy.py failed (exit \(process.terminationStatus)): \(errors)"
            return NumPyComparison(skipped: why)
        }
        struct ScriptResult: Decodable {
            var options: Int
            var best_seconds: Double
            var median_seconds: Double?
            var options_per_second: Double
        }
        guard let result = try? JSONDecoder().decode(ScriptResult.self, from: output) else {
            return NumPyComparison(skipped: "unreadable output from bsm_numpy.py: \(String(decoding: output, as: UTF8.self))")
        }
        return NumPyComparison(
            options: result.options, bestSeconds: result.best_seconds, medianSeconds: result.median_seconds,
            optionsPerSecond: result.options_per_second)
    }
}
