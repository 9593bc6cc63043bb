import Foundation
import PipelineContracts
import TestSupport
import Testing

/// Issue 17: each NOTIFY channel is named once (`NotifyChannel`), documented with its payload, and
/// no SQL notifies on a channel the type does not list.
@Suite struct NotifyChannelDocsTests {
    static func read(_ path: String) throws -> String {
        try String(contentsOfFile: "\(TestDatabase.repositoryRoot)/\(path)", encoding: .utf8)
    }

    @Test func everyChannelIsDocumentedWithItsPayload() throws {
        let docs = try ["docs/processor.md", "docs/risk.md", "docs/api.md"].map(Self.read).joined(separator: "\n")
        for channel in NotifyChannel.allCases {
            // A table row (`| `md_quotes` | payload |`) or a sentence with the payload (`NOTIFY risk_metrics` with {…}).
            let documented = docs.contains("| `\(channel.name)` | `{") || docs.range(
                of: "NOTIFY \(channel.name)`?\\s+(with\\s+)?`?\\{", options: .regularExpression) != nil
            #expect(documented, "\(channel.name) has no documented payload")
        }
    }

    @Test func sqlNotifiesOnlyOnListedChannels() throws {
        let root = TestDatabase.repositoryRoot
        let known = Set(NotifyChannel.allCases.map(\.name))
        var found: Set<String> = []
        for folder in ["migrations", "sql"] {
            for file in try FileManager.default.contentsOfDirectory(atPath: "\(root)/\(folder)") where file.hasSuffix(".sql") {
                let text = try Self.read("\(folder)/\(file)")
                let pattern = try Regex(#"pg_notify\('([a-z_]+)'"#)
                for match in text.matches(of: pattern) {
                    if let name = match.output[1].substring { found.insert(String(name)) }
                }
            }
        }
        #expect(!found.isEmpty, "the positions trigger notifies risk_positions")
        #expect(found.isSubset(of: known), "channels in SQL but not in NotifyChannel: \(found.subtracting(known))")
    }
}
