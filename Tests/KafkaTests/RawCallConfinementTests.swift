import Foundation
import Testing

/// Issue 17: librdkafka's C API is used only by the internal `RDKafka…` layer (no broker needed).
@Suite("Kafka raw C calls confined to RDKafka/")
struct RawCallConfinementTests {
    static let kafkaSources: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Sources/Kafka", isDirectory: true)
    }()

    /// Paths relative to Sources/Kafka of the Swift files outside RDKafka/.
    static func publicFacingFiles() throws -> [String] {
        let root = kafkaSources.standardizedFileURL.path + "/"
        let enumerator = try #require(FileManager.default.enumerator(atPath: root))
        return enumerator.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") && !$0.hasPrefix("RDKafka/") }
            .sorted()
    }

    @Test("no file outside Sources/Kafka/RDKafka names an rd_kafka_ symbol or imports CRdKafka")
    func confined() throws {
        let files = try Self.publicFacingFiles()
        // Guards against a wrong root: an empty list would pass vacuously.
        #expect(files.contains("KafkaConsumer.swift") && files.contains("Configuration/KafkaSecurity.swift"))
        var direct: [String] = []
        var importing: [String] = []
        for file in files {
            let text = try String(contentsOf: Self.kafkaSources.appendingPathComponent(file), encoding: .utf8)
            if text.contains("rd_kafka_") { direct.append(file) }
            if text.contains("import CRdKafka") { importing.append(file) }
        }
        #expect(direct == [], "these files name librdkafka's C API: move the calls into RDKafka/")
        #expect(importing == [], "only RDKafka/ may import CRdKafka")
    }
}
