import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PipelineContracts

/// JSON responses, encoded as every contract is (`WireJSON`: snake_case keys, absent optionals omitted).
enum JSONBody {
    static func buffer(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(data: try WireJSON.encoder().encode(value))
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        response(buffer: try buffer(value), status: status, headers: headers)
    }

    /// A response of a body encoded already (by `buffer`, perhaps cached).
    static func response(buffer: ByteBuffer, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }
}
