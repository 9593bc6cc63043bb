import Synchronization

/// One token bucket per client (an API key, or the address of an anonymous client), all with the
/// same `rate` per second and `burst` (`api.rateLimitPerSecond`, `api.rateLimitBurst`).
///
/// Memory is bounded by `maxBuckets`: when that many exist, buckets that have refilled completely
/// are forgotten (a fresh bucket is identical), and if every bucket is still in use, the one idle
/// longest goes.
final class RateLimiter: Sendable {
    let rate: Double
    let burst: Int
    let maxBuckets: Int
    private let buckets = Mutex([String: TokenBucket]())

    init(rate: Double, burst: Int, maxBuckets: Int = 10_000) {
        precondition(rate > 0 && burst > 0 && maxBuckets > 0)
        self.rate = rate
        self.burst = burst
        self.maxBuckets = maxBuckets
    }

    /// nil when `client` may go ahead; else how long it should wait.
    func take(_ client: String, at now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            if buckets[client] == nil {
                if buckets.count >= maxBuckets { evict(&buckets, at: now) }
                buckets[client] = TokenBucket(burst: burst, at: now)
            }
            return buckets[client]!.take(rate: rate, burst: burst, at: now)
        }
    }

    var bucketCount: Int { buckets.withLock { $0.count } }

    private func evict(_ buckets: inout [String: TokenBucket], at now: ContinuousClock.Instant) {
        buckets = buckets.filter { !$0.value.isFull(rate: rate, burst: burst, at: now) }
        if buckets.count >= maxBuckets, let idlest = buckets.min(by: { $0.value.updated < $1.value.updated }) {
            buckets[idlest.key] = nil
        }
    }
}
