import HTTPTypes
import Hummingbird
import PipelineContracts
import NIOCore
import ServiceLifecycle

/// `GET /stream?channels=trades:AAPL,quotes:AAPL,risk:P1,positions:P1`: server-sent events
/// (`text/event-stream`) fed by `StreamHub`. First a `subscribed` event naming the channels, then
/// `trade`, `quote`, `risk` and `positions` events as they are committed; `dropped` with a count
/// when this client was too slow and missed the oldest events; a `: heartbeat` comment when idle.
/// Every event carries the stream's position as its `id` (`StreamPosition`): reconnecting with
/// `Last-Event-ID` (or `?lastEventId=`) sends what the client missed (`StreamCatchUp`), and so
/// does a stream after its buffer overflowed.
/// The stream ends when the client goes or the server shuts down.
struct StreamController: Sendable {
    let hub: StreamHub

    static let lastEventID = HTTPField.Name("Last-Event-ID")!

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("stream", use: stream)
    }

    @Sendable func stream(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        guard let text = p.query("channels") else { throw Problem.badParameter("channels", "required, e.g. trades:AAPL,quotes:AAPL,risk:P1") }
        let topics = try StreamTopic.parse(text).get()
        let resumeFrom = (request.headers[Self.lastEventID] ?? p.query("lastEventId")).map { StreamPosition.resume($0, topics: topics) }
        if case .failure(.malformed(let reason)) = resumeFrom { throw Problem.badParameter("Last-Event-ID", reason) }
        let subscription: StreamHub.Subscription
        switch try await hub.subscribe(topics, address: context.remoteAddress?.ipAddress ?? "unknown") {
        case .success(let s): subscription = s
        case .failure(.full): throw Problem.unavailable("this server streams to \(hub.configuration.maxClients) clients already")
        case .failure(.addressFull):
            throw Problem(.tooManyRequests, type: "urn:quant:problem:too-many-streams", title: "Too many streams",
                          detail: "this address holds \(hub.configuration.maxClientsPerAddress) streams already; close one first")
        }
        let hub = hub
        let heartbeat = hub.configuration.heartbeat
        let catchUp = StreamCatchUp(hub: hub, maxTrades: hub.configuration.resumeMaxTrades)
        let subscribed = try StreamFrame(.subscribed(SubscribedEvent(channels: topics.map(\.description))))
        let body = ResponseBody { writer in
            defer { hub.unsubscribe(subscription.id) }
            let mailbox = subscription.mailbox
            try await withGracefulShutdownHandler {
                var position = StreamPosition(topics: topics, cursors: subscription.tradeCursors)
                if case .success(let resumed) = resumeFrom { position = resumed }
                try await writer.write(ByteBuffer(string: "retry: 2000\n" + Self.frame(subscribed, id: position.id)))
                switch resumeFrom {
                case nil: break
                case .success:
                    try await catchUp.run(&position) { try await writer.write(ByteBuffer(string: Self.frame($0, id: $1.id))) }
                case .failure:
                    try await catchUp.run(&position, reloadAll: "the Last-Event-ID was written for another list of channels") {
                        try await writer.write(ByteBuffer(string: Self.frame($0, id: $1.id)))
                    }
                }
                loop: while true {
                    switch await mailbox.next(timeout: heartbeat) {
                    case .event(let event):
                        if let trade = event.trade, !position.advance(trade.symbol, to: trade.cursor) { continue }
                        try await writer.write(ByteBuffer(string: Self.frame(event, id: position.id)))
                    case .dropped(let count):
                        let dropped = try StreamFrame(.dropped(DroppedEvent(dropped: count)))
                        try await writer.write(ByteBuffer(string: Self.frame(dropped, id: position.id)))
                        try await catchUp.run(&position) { try await writer.write(ByteBuffer(string: Self.frame($0, id: $1.id))) }
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
    static func frame(_ event: StreamFrame, id: String) -> String {
        let lines = event.data.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        return "id: \(id)\nevent: \(event.name)\n" + lines.map { "data: \($0)\n" }.joined() + "\n"
    }
}
