import Foundation
import Hummingbird
import PipelineContracts

/// The pipeline's health for operators and the console (docs/api.md, "Pipeline"):
/// - `GET /pipeline?group=`: topics with committed and end offsets, lag and rates, the processors'
///   latest batch windows, the dead letters' count (`PipelineMonitor`);
/// - `GET /pipeline/commits?group=&minutes=`: every batch window of the last minutes, oldest first;
/// - `GET /pipeline/dead-letters?limit=&cursor=`: the dead letters with their reasons, newest first.
struct PipelineController: Sendable {
    let monitor: PipelineMonitor
    let defaultGroup: String?
    let limits: APIConfiguration.Limits

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("pipeline", use: pipeline)
        group.get("pipeline/commits", use: commits)
        group.get("pipeline/dead-letters", use: deadLetters)
    }

    /// A consumer group's name as Kafka allows it, bounded.
    static func isGroupName(_ value: String) -> Bool {
        (1...100).contains(value.utf8.count)
            && value.utf8.allSatisfy { $0 == 0x2E || $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }

    /// `?group=`, else the configured group, else the group that committed last (nil: none has).
    private func group(_ p: RequestParameters) async throws -> String? {
        if let asked = p.query("group") {
            guard Self.isGroupName(asked) else { throw Problem.badParameter("group", "a consumer group is 1-100 of A-Z a-z 0-9 . _ -") }
            return asked
        }
        if let defaultGroup { return defaultGroup }
        return try await monitor.database.row("""
            SELECT consumer_group FROM analytics.consumer_offsets ORDER BY updated_at DESC LIMIT 1
            """) { try $0.decode(String.self) }
    }

    @Sendable func pipeline(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        guard let group = try await group(p) else { throw Problem.notFound("no consumer group has committed offsets yet") }
        guard let body = try await monitor.snapshot(group: group) else {
            throw Problem.notFound("consumer group \(group) has committed no offsets")
        }
        return try JSONBody.response(body)
    }

    struct CommitsBody: Codable, Sendable {
        var consumerGroup: String
        /// Every window, oldest first (each as `PipelineBody.processors` holds the latest).
        var windows: [PipelineProcessor]
    }

    static let maxWindows = 10_000

    @Sendable func commits(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        let minutes = try p.int("minutes", default: 15, range: 1...1440)
        guard let group = try await group(p) else { throw Problem.notFound("no consumer group has committed offsets yet") }
        let windows = try await monitor.database.rows("""
            SELECT \(unescaped: PipelineMonitor.windowColumns) FROM (
                SELECT * FROM analytics.ingest_windows
                WHERE consumer_group = \(group) AND window_end > now() - make_interval(mins => \(Int32(minutes)))
                ORDER BY window_end DESC LIMIT \(Self.maxWindows)) AS newest
            ORDER BY window_end, instance
            """, PipelineMonitor.window)
        return try JSONBody.response(CommitsBody(consumerGroup: group, windows: windows))
    }

    struct DeadLetter: Codable, Sendable {
        var id: Int64
        var receivedAt: String
        var source: String
        var topic: String?
        var partition: Int32?
        var offset: Int64?
        /// Why it was set aside.
        var error: String
        var payloadBytes: Int32?
        /// The payload's first 200 bytes, non-printable bytes escaped (`analytics.dead_letters`).
        var payloadPreview: String?
    }

    struct DeadLettersBody: Codable, Sendable {
        var deadLetters: [DeadLetter]
        var nextCursor: String?
    }

    @Sendable func deadLetters(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        let limit = try p.int("limit", default: 50, range: 1...limits.maxPageSize)
        var before = Int64.max
        if let cursor = p.query("cursor") {
            guard let text = Base64URL.decode(cursor), let id = Int64(text), id > 0 else {
                throw Problem.badParameter("cursor", "not a cursor this API returned")
            }
            before = id
        }
        let rows = try await monitor.database.rows("""
            SELECT id, api.rfc3339(received_at), source, topic, kafka_partition, kafka_offset, error, payload_bytes, payload_preview
            FROM analytics.dead_letters WHERE id < \(before) ORDER BY id DESC LIMIT \(Int32(limit))
            """) { row in
            let (id, at, source, topic, partition, offset, error, bytes, preview) =
                try row.decode((Int64, String, String, String?, Int32?, Int64?, String, Int32?, String?).self)
            return DeadLetter(id: id, receivedAt: at, source: source, topic: topic, partition: partition, offset: offset,
                              error: error, payloadBytes: bytes, payloadPreview: preview)
        }
        let next = rows.count == limit ? rows.last.map { Base64URL.encode(String($0.id)) } : nil
        return try JSONBody.response(DeadLettersBody(deadLetters: rows, nextCursor: next))
    }
}
