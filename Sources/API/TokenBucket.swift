/// A token bucket: `burst` tokens at most, refilled at `rate` per second; a request takes one.
/// Pure arithmetic on the times it is given, so tests need no clock.
struct TokenBucket: Sendable, Equatable {
    var tokens: Double
    var updated: ContinuousClock.Instant

    init(burst: Int, at now: ContinuousClock.Instant) {
        tokens = Double(burst)
        updated = now
    }

    /// Takes a token if there is one; otherwise says how long until there is.
    mutating func take(rate: Double, burst: Int, at now: ContinuousClock.Instant) -> Duration? {
        refill(rate: rate, burst: burst, at: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return .seconds((1 - tokens) / rate)
    }

    /// True when the bucket would be full again at `now`: forgetting it then changes nothing.
    func isFull(rate: Double, burst: Int, at now: ContinuousClock.Instant) -> Bool {
        var copy = self
        copy.refill(rate: rate, burst: burst, at: now)
        return copy.tokens >= Double(burst)
    }

    private mutating func refill(rate: Double, burst: Int, at now: ContinuousClock.Instant) {
        let elapsed = updated.duration(to: now)
        if elapsed > .zero {
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(Double(burst), tokens + seconds * rate)
            updated = now
        }
    }
}
