@testable import API
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Token buckets per key and per client address: 429 with Retry-After, refill, bounded memory.
@Suite struct RateLimitTests {
    let start = ContinuousClock.now

    @Test func aBucketAllowsItsBurstThenRefillsAtTheRate() {
        var bucket = TokenBucket(burst: 3, at: start)
        for _ in 0..<3 { #expect(bucket.take(rate: 2, burst: 3, at: start) == nil) }
        let wait = bucket.take(rate: 2, burst: 3, at: start)
        #expect(wait == .milliseconds(500))
        #expect(bucket.take(rate: 2, burst: 3, at: start + .milliseconds(499)) != nil)
        #expect(bucket.take(rate: 2, burst: 3, at: start + .milliseconds(500)) == nil)
        // Never more than the burst, however long it rested.
        let later = start + .seconds(3600)
        #expect(bucket.isFull(rate: 2, burst: 3, at: later))
        for _ in 0..<3 { #expect(bucket.take(rate: 2, burst: 3, at: later) == nil) }
        #expect(bucket.take(rate: 2, burst: 3, at: later) != nil)
    }

    @Test func clientsHaveTheirOwnBuckets() {
        let limiter = RateLimiter(rate: 1, burst: 1)
        #expect(limiter.take("a", at: start) == nil)
        #expect(limiter.take("a", at: start) != nil)
        #expect(limiter.take("b", at: start) == nil)
    }

    @Test func memoryIsBoundedByEvictingIdleBuckets() {
        let limiter = RateLimiter(rate: 10, burst: 5, maxBuckets: 100)
        // 10 000 clients, one request each, 1 ms apart: never more than 100 buckets.
        for i in 0..<10_000 {
            _ = limiter.take("client-\(i)", at: start + .milliseconds(i))
            #expect(limiter.bucketCount <= 100)
        }
        // A client that is still draining its bucket is not forgotten; a refilled (idle) one is.
        let busy = RateLimiter(rate: 1, burst: 2, maxBuckets: 2)
        _ = busy.take("idle", at: start)
        let now = start + .milliseconds(1500)
        _ = busy.take("busy", at: now)
        _ = busy.take("busy", at: now)
        _ = busy.take("new", at: now)
        #expect(busy.bucketCount == 2)
        #expect(busy.take("busy", at: now) != nil)
    }

    @Test func overTheLimitIs429WithRetryAfter() async throws {
        var configuration = APIConfiguration(limits: APITest.limits)
        // One token per 100 s: however slowly a loaded machine runs the requests, none refills in between.
        configuration.access.ratePerSecond = 0.01
        configuration.access.burst = 2
        try await APITest.withAPI(configuration: configuration) { client, _, _ in
            #expect(try await client.get("/api/v1/instruments").status == .ok)
            #expect(try await client.get("/api/v1/instruments").status == .ok)
            let limited = try await client.get("/api/v1/instruments")
            let problem = try APITest.expectProblem(limited, .tooManyRequests)
            #expect(problem.type == "urn:quant:problem:rate-limited")
            let retry = Int(limited.headers[.retryAfter] ?? "")
            #expect(retry != nil && (90...100).contains(retry!))
            // A key has a bucket of its own; exhausting it does not touch the others'.
            #expect(try await client.send(.get, "/api/v1/instruments", apiKey: APITest.readerKey).status == .ok)
            #expect(try await client.send(.get, "/api/v1/instruments", apiKey: APITest.readerKey).status == .ok)
            try APITest.expectProblem(try await client.send(.get, "/api/v1/instruments", apiKey: APITest.readerKey), .tooManyRequests)
            let writer = try await client.send(.get, "/api/v1/instruments", apiKey: APITest.writerKey)
            #expect(writer.status == .ok, "\(writer.status): \(String(buffer: writer.body))")
            // Health is never limited.
            #expect(try await client.get("/api/v1/health").status == .ok)
        }
    }
}
