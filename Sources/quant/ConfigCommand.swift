import ArgumentParser
import QuantConfig

/// `quant config`: every setting with its resolved value, where it came from and its variable.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print every setting with its resolved value, its origin and its environment variable.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let settings = try global.settings()
        for key in ConfigKey.all {
            var value = settings.source.values[key.path] ?? ""
            if key.path == "database.url" { value = maskPassword(value) }
            let origin = settings.source.origins[key.path] ?? "default"
            print("\(key.path) = \(value)    [\(origin); \(key.environmentVariable)]")
        }
    }

    /// Never print a password that someone put in the URL.
    func maskPassword(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.range(of: "://"),
              let colon = url[scheme.upperBound..<at].firstIndex(of: ":") else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }
}
