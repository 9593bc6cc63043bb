import AsyncHTTPClient
import NIOCore

/// Reads a service's Prometheus `/metrics` for `quant demo`'s live summary, with AsyncHTTPClient
/// (already built for the API's tests; its shared client needs no shutdown).
enum MetricsScrape {
    /// The body of `GET /metrics` on 127.0.0.1:`port`, or nil when nothing answers within a second.
    static func fetch(port: Int) async -> String? {
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics")
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(1))
            guard response.status == .ok else { return nil }
            return String(buffer: try await response.body.collect(upTo: 32 << 20))
        } catch {
            return nil
        }
    }

    /// The sum of every sample of `name` (all label sets), or nil if the metric is absent.
    static func sum(_ name: String, in text: String) -> Double? {
        var total = 0.0
        var found = false
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let rest = line.dropFirst(name.count)
            guard rest.first == " " || rest.first == "{" else { continue }
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) {
                total += value
                found = true
            }
        }
        return found ? total : nil
    }
}
