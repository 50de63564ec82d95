@testable import ApexServer
import Testing

/// The rate limits' buckets alone: a burst up to the quota, then refusal until a token refills,
/// a look that takes nothing, and memory that follows the recently active keys (refilled
/// buckets are forgotten once the table grows).
@Suite struct TokenBucketsTests {
    @Test func aBurstUpToTheQuotaThenRefusalUntilATokenRefills() async throws {
        let buckets = TokenBuckets()
        let policy = RateLimits.Policy(quota: 2, windowSeconds: 1)
        #expect(buckets.take("a", policy, spend: false).remaining == 2)
        #expect(buckets.take("a", policy).allowed)
        #expect(buckets.take("a", policy).allowed)
        let refused = buckets.take("a", policy)
        #expect(!refused.allowed)
        #expect(refused.remaining == 0 && refused.retryAfterSeconds == 1 && refused.resetSeconds == 1)
        #expect(buckets.take("b", policy).allowed, "another key has its own bucket")
        try await Task.sleep(for: .milliseconds(600))
        #expect(buckets.take("a", policy).allowed, "one token is back after half the window")
        buckets.charge("a", policy)
        #expect(!buckets.take("a", policy, spend: false).allowed, "a charge empties what is left and goes no lower")
    }

    @Test func refilledBucketsAreForgottenWhenTheTableGrows() async throws {
        let buckets = TokenBuckets()
        let policy = RateLimits.Policy(quota: 1, windowSeconds: 1)
        for i in 0..<1100 { _ = buckets.take("early-\(i)", policy) }
        #expect(buckets.count == 1100, "none had refilled: all kept")
        try await Task.sleep(for: .milliseconds(1100))
        for i in 0..<1000 { _ = buckets.take("late-\(i)", policy) }
        #expect(buckets.count < 1100, "the early buckets, refilled, were dropped: \(buckets.count) kept")
    }

    @Test func clientsAreKeyedByAddressAndIPv6ByItsSlash64() {
        #expect(RateLimiter.clientKey("203.0.113.5") == "203.0.113.5")
        #expect(RateLimiter.clientKey("::ffff:203.0.113.5") == "203.0.113.5")
        #expect(RateLimiter.clientKey("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64")
        #expect(RateLimiter.clientKey("2001:0db8:0001:0002:ffff:1:2:3") == "2001:db8:1:2::/64")
        #expect(RateLimiter.clientKey("2001:db8:1:3::1") == "2001:db8:1:3::/64")
        #expect(RateLimiter.clientKey(nil) == "unknown")
    }
}
