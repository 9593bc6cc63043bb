import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw-socket HTTP/1.1 client: for `GET /stream` it reads whenever asked, never more, so a test
/// can play a slow client (and shrink its receive buffer so the server feels it sooner); with
/// `rawRequest` it sends any bytes at all, as a hostile client would. Reads poll a non-blocking
/// socket between short sleeps, so no cooperative thread blocks.
public final class RawHTTPClient: @unchecked Sendable {
    public struct Timeout: Error, CustomStringConvertible { public var description: String }

    private let fd: Int32
    public private(set) var received = ""

    /// Connects and sends a request for `path`, or exactly `rawRequest` when given (perhaps an
    /// unfinished head, or nothing at all).
    public init(port: Int, path: String = "/", headers: [String: String] = [:], receiveBuffer: Int32? = nil,
         rawRequest: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Timeout(description: "socket() failed") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // No close(fd) here: every stored property is set, so a throw runs deinit, which closes it.
        // Closing it twice would close whatever socket got its number meanwhile (a server's
        // accepted connection: swift-nio then finds its descriptor registered twice and traps).
        guard connected == 0 else { throw Timeout(description: "connect() failed") }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        if let rawRequest { request = rawRequest }
        // MSG_NOSIGNAL: a server that closes early (a refused body) must not kill the test with SIGPIPE.
        _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Reads what has arrived so far (without waiting); false once the server closed.
    @discardableResult
    public func drain() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { received += String(decoding: buffer[0..<n], as: UTF8.self); continue }
            return n != 0  // 0: closed; -1 with EAGAIN: nothing more for now
        }
    }

    /// Waits until `condition` holds for everything received, at most `timeout`.
    /// Generous by default: CI runs every suite at once on 2 cores, and a slow start is not what
    /// these tests check (a test that checks a bound passes its own `timeout`).
    public func wait(for timeout: Duration = .seconds(30), until condition: (String) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let open = drain()
            if condition(received) { return }
            guard open, ContinuousClock.now < deadline else {
                throw Timeout(description: "waited \(timeout) for the stream; got: \(received.suffix(500))")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The status code of the response received so far, if its status line arrived.
    public var status: Int? {
        guard received.hasPrefix("HTTP/1."), received.count >= 12 else { return nil }
        return Int(received.dropFirst(9).prefix(3))
    }

    /// Waits until the server closes the connection; returns how long that took.
    @discardableResult
    public func waitUntilClosed(within timeout: Duration) async throws -> Duration {
        let start = ContinuousClock.now
        while drain() {
            guard ContinuousClock.now < start + timeout else {
                throw Timeout(description: "the server kept the connection open for \(timeout); received: \(received.isEmpty ? "nothing" : String(received.prefix(300)))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return ContinuousClock.now - start
    }

    /// The `id:` of the last complete SSE frame that had one: what a reconnecting client sends as `Last-Event-ID`.
    public var lastEventID: String? {
        let text = received.replacingOccurrences(of: "\r\n", with: "\n")
        for frame in text.components(separatedBy: "\n\n").dropLast().reversed() {
            if let line = frame.split(separator: "\n").first(where: { $0.hasPrefix("id: ") }) { return String(line.dropFirst(4)) }
        }
        return nil
    }

    /// `(event, data)` of every complete SSE frame received so far. The chunked encoding's size
    /// lines fall between frames and are ignored; the last piece may be incomplete and is left out.
    /// ("\r\n" is one Character in Swift, so it is turned into "\n" before splitting.)
    public var events: [(name: String, data: String)] {
        let text = received.replacingOccurrences(of: "\r\n", with: "\n")
        return text.components(separatedBy: "\n\n").dropFirst().dropLast().compactMap { frame in
            var name: String?, data: String?
            for line in frame.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            guard let name, let data else { return nil }
            return (name, data)
        }
    }
}
