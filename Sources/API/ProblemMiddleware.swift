import Hummingbird
import Logging
import PostgresNIO
import Store

/// Turns every error into problem details: `Problem`s as they are, Hummingbird's own errors (an
/// unknown route, an undecodable body) with their status, PostgreSQL connection failures as 503,
/// anything else as 500 (logged, never echoed to the client).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.problem(for: error, context: context).response(from: request, context: context)
        }
    }

    static func problem(for error: any Error, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let http as HTTPError:
            if http.status == .notFound { return .notFound("no such resource") }
            var problem = Problem(http.status, detail: http.body)
            problem.headers = http.headers
            return problem
        case let http as any HTTPResponseError:
            return Problem(http.status)
        default:
            if let unavailable = DatabaseFailure.unavailable(error) { return unavailable }
            context.logger.error("request failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            return Problem(.internalServerError, detail: "internal error; see the server log")
        }
    }
}

/// Which PostgreSQL failures mean "the database is not reachable right now" (503) rather than a bug.
enum DatabaseFailure {
    static func unavailable(_ error: any Error) -> Problem? {
        if error is DatabaseTimeout { return .unavailable("PostgreSQL did not answer in time") }
        guard let psql = PostgresErrorText.unwrap(error) as? PSQLError else { return nil }
        switch psql.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown,
             .queryCancelled, .sslUnsupported, .failedToAddSSLHandler:
            return .unavailable("PostgreSQL is unavailable")
        case .server:
            // 08: connection exception, 53: insufficient resources, 57P: operator intervention (shutdown).
            let state = psql.serverInfo?[.sqlState] ?? ""
            if state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P") {
                return .unavailable("PostgreSQL is unavailable (\(state))")
            }
            return nil
        default:
            return nil
        }
    }
}

struct DatabaseTimeout: Error {}
