import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 problem details answer (`application/problem+json`). Every error the API returns
/// is one of these, thrown by handlers and rendered by `ProblemMiddleware`.
public struct Problem: Error, HTTPResponseError, Sendable, Equatable {
    /// One reason a parameter or a field was refused.
    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var reason: String
        public init(_ field: String, _ reason: String) {
            self.field = field
            self.reason = reason
        }
    }

    public var type: String
    public var title: String
    public var status: HTTPResponse.Status
    public var detail: String?
    public var errors: [FieldError]
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, type: String = "about:blank", title: String? = nil,
                detail: String? = nil, errors: [FieldError] = []) {
        self.type = type
        self.title = title ?? status.reasonPhrase
        self.status = status
        self.detail = detail
        self.errors = errors
    }

    /// 400: a path or query parameter or a header is malformed.
    public static func badParameter(_ name: String, _ reason: String) -> Problem {
        Problem(.badRequest, type: "urn:quant:problem:invalid-parameter", title: "Invalid parameter",
                detail: "\(name): \(reason)", errors: [FieldError(name, reason)])
    }

    /// 400: the body is not the JSON object the endpoint expects.
    public static func badBody(_ reason: String) -> Problem {
        Problem(.badRequest, type: "urn:quant:problem:malformed-body", title: "Malformed body", detail: reason)
    }

    /// 404: no such symbol, order or portfolio.
    public static func notFound(_ detail: String) -> Problem {
        Problem(.notFound, type: "urn:quant:problem:not-found", title: "Not found", detail: detail)
    }

    /// 422: well-formed, but not an acceptable order.
    public static func invalidOrder(_ errors: [FieldError]) -> Problem {
        Problem(.unprocessableContent, type: "urn:quant:problem:invalid-order", title: "Invalid order",
                detail: errors.map { "\($0.field): \($0.reason)" }.joined(separator: "; "), errors: errors)
    }

    /// 422: a well-formed body that cannot be accepted (portfolios, positions).
    public static func invalidRequest(_ errors: [FieldError]) -> Problem {
        Problem(.unprocessableContent, type: "urn:quant:problem:invalid-request", title: "Invalid request",
                detail: errors.map { "\($0.field): \($0.reason)" }.joined(separator: "; "), errors: errors)
    }

    /// 403: the API key is not bound to the account the order is for (migration 0019).
    public static func accountForbidden(key: String, account: String?) -> Problem {
        let whose = account.map { "account \($0)" } ?? "orders without an account"
        return Problem(.forbidden, type: "urn:quant:problem:account-forbidden", title: "Account not allowed",
                       detail: "API key \(key) may not trade for \(whose)")
    }

    /// 409: the resource exists already.
    public static func conflict(_ detail: String) -> Problem {
        Problem(.conflict, type: "urn:quant:problem:conflict", title: "Conflict", detail: detail)
    }

    /// 503: PostgreSQL or Kafka cannot be reached right now.
    public static func unavailable(_ detail: String) -> Problem {
        var problem = Problem(.serviceUnavailable, type: "urn:quant:problem:dependency-unavailable",
                              title: "Dependency unavailable", detail: detail)
        problem.headers[.retryAfter] = "1"
        return problem
    }

    struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String?
        var instance: String?
        var errors: [FieldError]?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(type: type, title: title, status: status.code, detail: detail, instance: request.uri.path,
                        errors: errors.isEmpty ? nil : errors)
        var headers = headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: try JSONBody.buffer(body)))
    }
}
