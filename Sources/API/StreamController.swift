import Hummingbird
import PipelineContracts
import NIOCore
import ServiceLifecycle

/// `GET /stream?channels=trades:AAPL,quotes:AAPL,risk:P1,positions:P1`: server-sent events
/// (`text/event-stream`) fed by `StreamHub`. First a `subscribed` event naming the channels, then
/// `trade`, `quote`, `risk` and `positions` events as they are committed; `dropped` with a count
/// when this client was too slow and missed the oldest events; a `: heartbeat` comment when idle.
/// The stream ends when the client goes or the server shuts down.
struct StreamController: Sendable {
    let hub: StreamHub

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("stream", use: stream)
    }

    @Sendable func stream(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        guard let text = p.query("channels") else { throw Problem.badParameter("channels", "required, e.g. trades:AAPL,quotes:AAPL,risk:P1") }
        let topics = try StreamTopic.parse(text).get()
        let (id, mailbox): (Int, StreamMailbox)
        switch try await hub.subscribe(topics, address: context.remoteAddress?.ipAddress ?? "unknown") {
        case .success(let subscription): (id, mailbox) = subscription
        case .failure(.full): throw Problem.unavailable("this server streams to \(hub.configuration.maxClients) clients already")
        case .failure(.addressFull):
            throw Problem(.tooManyRequests, type: "urn:quant:problem:too-many-streams", title: "Too many streams",
                          detail: "this address holds \(hub.configuration.maxClientsPerAddress) streams already; close one first")
        }
        let hub = hub
        let heartbeat = hub.configuration.heartbeat
        let subscribed = try StreamFrame(.subscribed(SubscribedEvent(channels: topics.map(\.description))))
        let body = ResponseBody { writer in
            defer { hub.unsubscribe(id) }
            try await withGracefulShutdownHandler {
                try await writer.write(ByteBuffer(string: "retry: 2000\n" + Self.frame(subscribed)))
                loop: while true {
                    switch await mailbox.next(timeout: heartbeat) {
                    case .event(let event): try await writer.write(ByteBuffer(string: Self.frame(event)))
                    case .dropped(let count):
                        try await writer.write(ByteBuffer(string: Self.frame(try StreamFrame(.dropped(DroppedEvent(dropped: count))))))
                    case .idle: try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    case .closed: break loop
                    }
                }
            } onGracefulShutdown: {
                mailbox.close()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }

    /// One SSE frame. `data` is one line of JSON; should it ever hold a line break, each line goes
    /// out as its own `data:` field (the client joins them again), so nothing inside the data can
    /// end the frame or start another event.
    static func frame(_ event: StreamFrame) -> String {
        let lines = event.data.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        return "event: \(event.name)\n" + lines.map { "data: \($0)\n" }.joined() + "\n"
    }
}
