import PipelineContracts
import Synchronization

/// One event of `GET /stream` encoded once for all its clients: the SSE `event:` name and the
/// JSON `data:` of a `StreamEvent` (the contract; tests may build frames by hand).
struct StreamFrame: Sendable, Equatable {
    var name: String
    var data: String
    /// A `trade` event's symbol and place: a client sends a print only after its cursor (so a
    /// print caught up from the table is not sent again live) and moves its position with it.
    var trade: (symbol: String, cursor: TradeCursor)? = nil

    static func == (a: StreamFrame, b: StreamFrame) -> Bool {
        a.name == b.name && a.data == b.data && a.trade?.symbol == b.trade?.symbol && a.trade?.cursor == b.trade?.cursor
    }
}

extension StreamFrame {
    init(_ event: StreamEvent) throws { self.init(name: event.name.rawValue, data: try event.data()) }
}

/// The bounded buffer between the stream hub and one client. The hub never waits for a client:
/// when `capacity` events are waiting, the oldest is dropped and counted, and the client's next
/// read says how many it missed. A client's memory is therefore at most `capacity` events.
final class StreamMailbox: Sendable {
    enum Item: Sendable, Equatable {
        case event(StreamFrame)
        /// This many events were dropped before the ones that follow.
        case dropped(Int)
        /// Nothing arrived for the heartbeat interval.
        case idle
        case closed
    }

    private struct State {
        var events: [StreamFrame] = []
        var dropped = 0
        var closed = false
        var waiter: CheckedContinuation<Item, Never>?
        var waiterTimer: Task<Void, Never>?
        var waitNumber = 0

        mutating func ready() -> Item? {
            if dropped > 0 {
                defer { dropped = 0 }
                return .dropped(dropped)
            }
            if !events.isEmpty { return .event(events.removeFirst()) }
            return closed ? .closed : nil
        }

        /// Hands `item` to a waiting reader, if one waits.
        mutating func resumeWaiter(with item: Item) -> Bool {
            guard let waiter else { return false }
            self.waiter = nil
            waiterTimer?.cancel()
            waiterTimer = nil
            waiter.resume(returning: item)
            return true
        }
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    func push(_ event: StreamFrame) {
        state.withLock { s in
            guard !s.closed, !s.resumeWaiter(with: .event(event)) else { return }
            s.events.append(event)
            if s.events.count > capacity {
                s.events.removeFirst()
                s.dropped += 1
            }
        }
    }

    func close() {
        state.withLock { s in
            s.closed = true
            _ = s.resumeWaiter(with: .closed)
        }
    }

    var buffered: Int { state.withLock { $0.events.count } }

    /// The next item; `.idle` when nothing came within `timeout`; `.closed` once closed (or cancelled).
    func next(timeout: Duration) async -> Item {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Item, Never>) in
                let immediate: Item? = state.withLock { s in
                    if let item = s.ready() { return item }
                    s.waiter = continuation
                    s.waitNumber += 1
                    let number = s.waitNumber
                    s.waiterTimer = Task { [weak self] in
                        try? await Task.sleep(for: timeout)
                        guard !Task.isCancelled else { return }
                        self?.timeOut(number)
                    }
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            close()
        }
    }

    private func timeOut(_ number: Int) {
        state.withLock { s in
            guard s.waitNumber == number else { return }
            s.waiterTimer = nil
            if let waiter = s.waiter {
                s.waiter = nil
                waiter.resume(returning: .idle)
            }
        }
    }
}
