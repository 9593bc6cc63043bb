import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's basics plus the client's address, which
/// rate-limits anonymous clients (router tests have no socket: their address is nil), and the API
/// key the request presented, once `AccessMiddleware` has checked it.
public struct APIRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var apiKey: APIKeyIdentity?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

extension APIRequestContext {
    /// Who the request counts against in per-client limits: its API key, else its address.
    var clientID: String {
        apiKey.map { "key:\($0.id)" } ?? clientAddress
    }

    /// `addr:` and the peer's IP address (`addr:unknown` without a socket, as in router tests).
    var clientAddress: String {
        "addr:" + (remoteAddress?.ipAddress ?? "unknown")
    }
}
