import Synchronization

/// Bounds how many requests of the expensive kind (a hedge proposal, a custom stress test: each
/// reads a whole portfolio's inputs and revalues it) run at once, in all and per client, so a few
/// clients cannot take every database connection from the readers (`api.heavyRequestsMax`,
/// `api.heavyRequestsPerClient`). A request beyond either bound is answered 429 at once rather
/// than queued: queued requests would hold their sockets and memory while they wait.
final class ConcurrencyGate: Sendable {
    let total: Int
    let perClient: Int
    private let running = Mutex<(all: Int, byClient: [String: Int])>((0, [:]))

    init(total: Int, perClient: Int) {
        precondition(total > 0 && perClient > 0)
        self.total = total
        self.perClient = perClient
    }

    /// Runs `body` if `client` may start one more request now; else throws 429.
    func run<T>(client: String, _ body: () async throws -> T) async throws -> T {
        try enter(client)
        defer { leave(client) }
        return try await body()
    }

    var inFlight: Int { running.withLock { $0.all } }

    private func enter(_ client: String) throws {
        let admitted = running.withLock { running in
            guard running.all < total, running.byClient[client, default: 0] < perClient else { return false }
            running.all += 1
            running.byClient[client, default: 0] += 1
            return true
        }
        guard admitted else {
            var problem = Problem(.tooManyRequests, type: "urn:quant:problem:too-many-concurrent", title: "Too many requests at once",
                                  detail: "hedge and stress-test requests run at most \(perClient) at once per client and \(total) in all; retry shortly")
            problem.headers[.retryAfter] = "1"
            throw problem
        }
    }

    private func leave(_ client: String) {
        running.withLock { running in
            running.all -= 1
            let left = running.byClient[client, default: 1] - 1
            running.byClient[client] = left > 0 ? left : nil
        }
    }
}
