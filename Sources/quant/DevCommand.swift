import ArgumentParser
import Foundation

/// `quant dev up|down|status|stop|env`: the local stack, delegated to `scripts/stack` so that
/// tests, CI and the demo start services the same way with or without a built binary.
struct DevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Start, stop or inspect the local stack (PostgreSQL + Tansu broker on 127.0.0.1).",
        discussion: "up: start both, create topics, print DATABASE_URL and KAFKA_BROKERS. stop: stop, keep data. down: stop and delete the local data."
    )

    @Argument(help: "up | status | env | stop | down")
    var action: String = "status"

    func run() throws {
        let allowed = ["up", "status", "env", "stop", "down", "restart-broker"]
        guard allowed.contains(action) else {
            throw ValidationError("unknown action '\(action)'; use one of \(allowed.joined(separator: ", "))")
        }
        guard let script = ProjectRoot.locate()?.appendingPathComponent("scripts/stack") else {
            throw ValidationError("cannot find scripts/stack: run quant from the project checkout or set QUANT_HOME")
        }
        // Become the script (exec): Foundation's Process can wait forever for a script that starts
        // daemons, which inherit the descriptors it watches.
        let scriptPath: String = script.path
        let words: [String] = ["/bin/bash", scriptPath, action]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        execv("/bin/bash", arguments)
        throw ValidationError("cannot run \(script.path): errno \(errno)")
    }
}

/// Finds the checkout: `QUANT_HOME`, else the current directory or one of its parents holding `scripts/stack`,
/// else the parents of the executable (`.build/debug/quant`).
enum ProjectRoot {
    static func locate() -> URL? {
        let fm = FileManager.default
        if let home = ProcessInfo.processInfo.environment["QUANT_HOME"] { return URL(fileURLWithPath: home) }
        var candidates = [URL(fileURLWithPath: fm.currentDirectoryPath)]
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent())
        for start in candidates {
            var dir = start.standardizedFileURL
            for _ in 0..<6 {
                if fm.fileExists(atPath: dir.appendingPathComponent("scripts/stack").path) { return dir }
                dir.deleteLastPathComponent()
            }
        }
        return nil
    }
}
