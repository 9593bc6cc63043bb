import Foundation
import TestSupport
import Testing

/// Issue 17: the layers of docs/architecture.md hold for every target, in `Package.swift` and in
/// each source file's imports; each target's README names what it may import; and the graph in
/// docs/architecture.md is what `scripts/architecture-graph` prints from `Package.swift`.
@Suite struct ArchitectureTests {
    static let root = TestDatabase.repositoryRoot

    /// The layer table of docs/architecture.md: layer → its targets and the layers it may import.
    static func layers() throws -> (layerOf: [String: String], allowed: [String: Set<String>]) {
        let docs = try NotifyChannelDocsTests.read("docs/architecture.md")
        var layerOf: [String: String] = [:], allowed: [String: Set<String>] = [:]
        for line in docs.split(separator: "\n") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 3, ["core", "adapter", "service", "tool", "executable"].contains(cells[0]) else { continue }
            for target in cells[1].matches(of: /`([A-Za-z]+)`/) { layerOf[String(target.output.1)] = cells[0] }
            allowed[cells[0]] = cells[2] == "everything"
                ? ["core", "adapter", "service", "tool", "executable"]
                : Set(cells[2].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        return (layerOf, allowed)
    }

    /// Our targets (tests and TestSupport left out) and the targets each depends on, from `swift package dump-package`.
    static func packageGraph() throws -> [String: [String]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // A scratch path of its own: `swift test` holds the lock of .build while this runs.
        process.arguments = ["swift", "package", "--scratch-path", NSTemporaryDirectory() + "quant-architecture-graph", "dump-package"]
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let package = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let targets = try #require(package["targets"] as? [[String: Any]])
            .filter { $0["type"] as? String != "test" && $0["name"] as? String != "TestSupport" }
        let names = Set(targets.compactMap { $0["name"] as? String })
        var graph: [String: [String]] = [:]
        for target in targets {
            let name = target["name"] as! String
            let dependencies = (target["dependencies"] as? [[String: Any]] ?? []).compactMap { dependency in
                ((dependency["byName"] ?? dependency["target"]) as? [Any])?.first as? String
            }
            graph[name] = dependencies.filter(names.contains)
        }
        return graph
    }

    static func violation(_ from: String, _ to: String, _ layers: (layerOf: [String: String], allowed: [String: Set<String>])) -> String? {
        guard let fromLayer = layers.layerOf[from] else { return "\(from) has no layer in docs/architecture.md" }
        guard let toLayer = layers.layerOf[to] else { return "\(to) has no layer in docs/architecture.md" }
        if fromLayer == "service" && toLayer == "service" { return "\(from) → \(to): a service imports another service" }
        guard layers.allowed[fromLayer]?.contains(toLayer) == true else { return "\(from) (\(fromLayer)) → \(to) (\(toLayer))" }
        return nil
    }

    @Test func everyDeclaredDependencyKeepsToTheLayers() throws {
        let layers = try Self.layers()
        let graph = try Self.packageGraph()
        #expect(Set(graph.keys) == Set(layers.layerOf.keys), "every target has exactly one layer")
        #expect(layers.layerOf["PipelineContracts"] == "core" && layers.layerOf["API"] == "service", "the table was read")
        for (target, dependencies) in graph {
            for dependency in dependencies {
                if let problem = Self.violation(target, dependency, layers) { Issue.record("Package.swift: \(problem)") }
            }
        }
    }

    @Test func everyImportKeepsToTheLayers() throws {
        let layers = try Self.layers()
        let ours = Set(layers.layerOf.keys)
        var files = 0
        for target in ours {
            let folder = "\(Self.root)/Sources/\(target)"
            guard let enumerator = FileManager.default.enumerator(atPath: folder) else { continue }
            for case let file as String in enumerator where file.hasSuffix(".swift") {
                files += 1
                let text = try String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8)
                for match in text.matches(of: /(?m)^(?:@[A-Za-z_]+ )*(?:internal |public |package |private |fileprivate )?import (?:struct |class |enum |protocol |func |var |let |typealias )?([A-Za-z_]+)/) {
                    let module = String(match.output.1)
                    guard ours.contains(module), module != target else { continue }
                    if let problem = Self.violation(target, module, layers) { Issue.record("\(target)/\(file): \(problem)") }
                }
            }
        }
        #expect(files > 200, "the sources were found")
    }

    @Test func everyTargetsReadmeSaysWhatItOwnsAndNamesWhatItImports() throws {
        let graph = try Self.packageGraph()
        for (target, dependencies) in graph where target != "CRdKafka" {  // a system library: Kafka's README covers it
            let path = "\(Self.root)/Sources/\(target)/README.md"
            guard let readme = try? String(contentsOfFile: path, encoding: .utf8) else {
                Issue.record("Sources/\(target) has no README.md")
                continue
            }
            #expect(readme.contains("**Owns:**"), "\(target)")
            guard let mayImport = readme.range(of: "**May import:**") else {
                Issue.record("\(target)'s README does not say what it may import")
                continue
            }
            // The paragraph only, without what it names as forbidden ("no `Store`", "Nothing of ours: …").
            var paragraph = String(readme[mayImport.upperBound...].split(separator: "\n\n", maxSplits: 1).first ?? "")
            paragraph = paragraph.replacing(/(?i)\bno `[A-Za-z]+`/, with: "")
            if let nothing = paragraph.range(of: "Nothing of ours") { paragraph = String(paragraph[..<nothing.lowerBound]) }
            for dependency in dependencies where !paragraph.contains("`\(dependency)`") && !paragraph.contains("every target") {
                Issue.record("\(target) depends on \(dependency), which its README's “May import” does not name")
            }
        }
    }

    @Test func theDocumentedGraphIsThePackages() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(Self.root)/scripts/architecture-graph")
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let docs = try NotifyChannelDocsTests.read("docs/architecture.md")
        let begin = try #require(docs.range(of: "<!-- graph:begin -->\n"))
        let end = try #require(docs.range(of: "<!-- graph:end -->"))
        #expect(String(docs[begin.upperBound..<end.lowerBound]) == printed,
                "docs/architecture.md's graph is stale: paste the output of scripts/architecture-graph")
    }
}
