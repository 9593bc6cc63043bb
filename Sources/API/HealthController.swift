import Hummingbird

/// `GET /health`: 200 when PostgreSQL (and Kafka, when the API publishes orders) answer, else 503.
struct HealthController: Sendable {
    struct DependencyBody: Codable, Sendable {
        var status: String
        var detail: String?
    }

    struct HealthBody: Codable, Sendable {
        var status: String
        var postgres: DependencyBody
        var kafka: DependencyBody
    }

    let database: ReaderDatabase
    /// Throws when the broker cannot be reached; nil when this API has no Kafka producer.
    let kafkaProbe: (@Sendable () async throws -> Void)?

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("health", use: health)
    }

    @Sendable func health(_ request: Request, context: APIRequestContext) async throws -> Response {
        async let postgres = probePostgres()
        async let kafka = probeKafka()
        let body = HealthBody(status: "ok", postgres: await postgres, kafka: await kafka)
        let down = body.postgres.status == "down" || body.kafka.status == "down"
        var answer = body
        if down { answer.status = "unavailable" }
        return try JSONBody.response(answer, status: down ? .serviceUnavailable : .ok,
                                     headers: [.cacheControl: "no-store"])
    }

    private func probePostgres() async -> DependencyBody {
        do {
            _ = try await database.row("SELECT 1") { _ in true }
            return DependencyBody(status: "up")
        } catch {
            return DependencyBody(status: "down", detail: DatabaseFailure.unavailable(error)?.detail ?? "query failed")
        }
    }

    private func probeKafka() async -> DependencyBody {
        guard let kafkaProbe else { return DependencyBody(status: "disabled", detail: "this API does not publish orders") }
        do {
            try await database.withDeadline { try await kafkaProbe() }
            return DependencyBody(status: "up")
        } catch {
            return DependencyBody(status: "down", detail: "broker unreachable")
        }
    }
}
