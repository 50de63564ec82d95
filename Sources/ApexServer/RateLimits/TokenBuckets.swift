import Synchronization

/// Token buckets by key, in memory: each holds up to a policy's quota and refills at
/// quota/window per second. Buckets that have refilled are forgotten when the table grows, so
/// memory follows the number of recently active clients.
final class TokenBuckets: Sendable {
    /// What a bucket said about one request.
    struct Decision: Sendable {
        /// Whether the request may go on.
        var allowed: Bool
        /// Whole tokens left after it.
        var remaining: Int
        /// Seconds until the bucket is full again (the `t` of the `RateLimit` header).
        var resetSeconds: Int
        /// Seconds until one token is back (`Retry-After`, when refused).
        var retryAfterSeconds: Int
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
        /// When it holds its whole quota again, as of ``updated``: past that it can be forgotten.
        var fullAt: ContinuousClock.Instant
    }

    private struct Table {
        var buckets: [String: Bucket] = [:]
        var sweepAt = 1024
    }

    private let table = Mutex(Table())
    private let clock = ContinuousClock()

    /// Takes a token from `key`'s bucket under `policy` when one is there (`spend`), or only
    /// looks (`spend: false`: allowed when a token is there, none taken).
    func take(_ key: String, _ policy: RateLimits.Policy, spend: Bool = true) -> Decision {
        let now = clock.now
        return table.withLock { table in
            var bucket = Self.refilled(table.buckets[key], policy, now)
            let allowed = bucket.tokens >= 1
            if allowed && spend { bucket.tokens -= 1 }
            Self.store(bucket, key, policy, in: &table, now)
            return Self.decision(bucket, policy, allowed: allowed)
        }
    }

    /// Takes a token from `key`'s bucket whether or not one is there (never below zero): an
    /// event counted after the fact, such as a 401.
    func charge(_ key: String, _ policy: RateLimits.Policy) {
        let now = clock.now
        table.withLock { table in
            var bucket = Self.refilled(table.buckets[key], policy, now)
            bucket.tokens = max(0, bucket.tokens - 1)
            Self.store(bucket, key, policy, in: &table, now)
        }
    }

    /// How many buckets are kept (for tests).
    var count: Int { table.withLock { $0.buckets.count } }

    private static func refilled(_ bucket: Bucket?, _ policy: RateLimits.Policy, _ now: ContinuousClock.Instant) -> Bucket {
        guard var bucket else { return Bucket(tokens: Double(policy.quota), updated: now, fullAt: now) }
        let elapsed = now - bucket.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        bucket.tokens = min(Double(policy.quota), bucket.tokens + seconds * policy.refillPerSecond)
        bucket.updated = now
        return bucket
    }

    private static func decision(_ bucket: Bucket, _ policy: RateLimits.Policy, allowed: Bool) -> Decision {
        let rate = policy.refillPerSecond
        return Decision(
            allowed: allowed, remaining: Int(bucket.tokens.rounded(.down)),
            resetSeconds: Int(((Double(policy.quota) - bucket.tokens) / rate).rounded(.up)),
            retryAfterSeconds: max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))))
    }

    /// Keeps `bucket` under `key`, first forgetting every bucket that has refilled by now (a full
    /// bucket is what a new key gets) once the table has grown past its mark, which then becomes
    /// twice what is left.
    private static func store(_ bucket: Bucket, _ key: String, _ policy: RateLimits.Policy, in table: inout Table, _ now: ContinuousClock.Instant) {
        var bucket = bucket
        bucket.fullAt = now + .milliseconds(Int64(((Double(policy.quota) - bucket.tokens) / policy.refillPerSecond * 1000).rounded(.up)))
        table.buckets[key] = bucket
        guard table.buckets.count > table.sweepAt else { return }
        table.buckets = table.buckets.filter { _, bucket in bucket.fullAt > now }
        table.sweepAt = max(1024, table.buckets.count * 2)
    }
}
