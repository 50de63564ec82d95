import ApexDomain
import ApexMetrics
import Foundation
import HTTPTypes
import Hummingbird

/// Applies ``RateLimits`` to requests with ``TokenBuckets``: its three middlewares sit where
/// what they key on is known (the client address at the router, the user after
/// authentication). A refused request is a 429 problem `rate_limited` with `Retry-After`; every
/// answer of a limited route carries the IETF `RateLimit-Policy` and `RateLimit` fields
/// (draft-ietf-httpapi-ratelimit-headers), one item per policy that applied.
final class RateLimiter: Sendable {
    let limits: RateLimits
    let buckets = TokenBuckets()
    let metrics: ApexMetrics

    init(limits: RateLimits, metrics: ApexMetrics) {
        self.limits = limits
        self.metrics = metrics
    }

    /// At the router: every `/v1` request per client address, and the address's 401 budget.
    var addresses: AddressMiddleware { AddressMiddleware(limiter: self) }
    /// On the routes without a bearer token, per client address.
    var publicRoutes: KeyedMiddleware { KeyedMiddleware(limiter: self, name: "public", policy: limits.publicRoutes) { "public|" + $0.clientKey } }
    /// After authentication, per user.
    var users: KeyedMiddleware {
        KeyedMiddleware(limiter: self, name: "user", policy: limits.user) { "user|" + ($0.identity?.user.id.uuidString ?? $0.clientKey) }
    }

    /// One policy's answer for a request, for the response's fields.
    struct Applied: Sendable {
        let name: String
        let policy: RateLimits.Policy
        let decision: TokenBuckets.Decision

        var policyItem: String { "\"\(name)\";q=\(policy.quota);w=\(policy.windowSeconds)" }
        var limitItem: String { "\"\(name)\";r=\(decision.remaining);t=\(decision.allowed ? decision.resetSeconds : decision.retryAfterSeconds)" }
    }

    /// The 429 for a request `applied` refused, counted in the metrics.
    func refusal(_ applied: Applied) -> APIError {
        metrics.recordRateLimited(policy: applied.name)
        var error = APIError(
            .tooManyRequests, code: "rate_limited",
            "too many requests (\(applied.name) limit: \(applied.policy.quota) per \(applied.policy.windowSeconds) s); retry after \(applied.decision.retryAfterSeconds) s")
        error.headers[.retryAfter] = String(applied.decision.retryAfterSeconds)
        Self.add([applied], to: &error.headers)
        return error
    }

    /// Appends the `RateLimit-Policy` and `RateLimit` items of `applied` to `headers`.
    static func add(_ applied: [Applied], to headers: inout HTTPFields) {
        guard !applied.isEmpty else { return }
        headers.append(HTTPField(name: .rateLimitPolicy, value: applied.map(\.policyItem).joined(separator: ", ")))
        headers.append(HTTPField(name: .rateLimit, value: applied.map(\.limitItem).joined(separator: ", ")))
    }

    /// Every `/v1` request per client address; refuses all of an address's `/v1` requests while
    /// its 401 budget (``RateLimits/unauthorized``) is spent, and spends it on each 401.
    struct AddressMiddleware: RouterMiddleware {
        typealias Context = ApexRequestContext
        let limiter: RateLimiter

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            let limits = limiter.limits
            guard request.uri.path.hasPrefix("/v1/"), !limits.isOff else { return try await next(request, context) }
            let client = context.clientKey
            var applied: [Applied] = []
            if let policy = limits.unauthorized {
                let decision = limiter.buckets.take("unauthorized|" + client, policy, spend: false)
                if !decision.allowed { throw limiter.refusal(Applied(name: "unauthorized", policy: policy, decision: decision)) }
            }
            if let policy = limits.address {
                let decision = limiter.buckets.take("address|" + client, policy)
                let item = Applied(name: "address", policy: policy, decision: decision)
                guard decision.allowed else { throw limiter.refusal(item) }
                applied.append(item)
            }
            do {
                var response = try await next(request, context)
                if response.status == .unauthorized { spendUnauthorized(client) }
                RateLimiter.add(applied, to: &response.headers)
                return response
            } catch var error as APIError {
                if error.status == .unauthorized { spendUnauthorized(client) }
                if error.status != .tooManyRequests { RateLimiter.add(applied, to: &error.headers) }
                throw error
            }
        }

        private func spendUnauthorized(_ client: String) {
            if let policy = limiter.limits.unauthorized { limiter.buckets.charge("unauthorized|" + client, policy) }
        }
    }

    /// One policy on the routes of a group, keyed by what `key` takes from the context.
    struct KeyedMiddleware: RouterMiddleware {
        typealias Context = ApexRequestContext
        let limiter: RateLimiter
        let name: String
        let policy: RateLimits.Policy?
        let key: @Sendable (ApexRequestContext) -> String

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            guard let policy else { return try await next(request, context) }
            let decision = limiter.buckets.take(key(context), policy)
            let item = Applied(name: name, policy: policy, decision: decision)
            guard decision.allowed else { throw limiter.refusal(item) }
            do {
                var response = try await next(request, context)
                RateLimiter.add([item], to: &response.headers)
                return response
            } catch var error as APIError {
                RateLimiter.add([item], to: &error.headers)
                throw error
            }
        }
    }
}

extension ApexRequestContext {
    /// The client the limits key on: its address per the trusted-proxy rules, an IPv6 address
    /// by its /64 (one subscriber's prefix: rotating addresses inside it earns no fresh
    /// buckets); `unknown` without one.
    var clientKey: String { RateLimiter.clientKey(requestMetadata.ipAddress?.plaintext) }
}

extension RateLimiter {
    /// `address`'s key: IPv4 (and IPv4-mapped IPv6) as is, IPv6 as its /64 prefix.
    static func clientKey(_ address: String?) -> String {
        guard let address else { return "unknown" }
        guard let bytes = AddressRanges.parseAddress(address), bytes.count == 16 else { return address }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let hextets = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return hextets.joined(separator: ":") + "::/64"
    }
}

extension HTTPField.Name {
    /// `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers).
    static let rateLimitPolicy = HTTPField.Name("RateLimit-Policy")!
    /// `RateLimit` (draft-ietf-httpapi-ratelimit-headers).
    static let rateLimit = HTTPField.Name("RateLimit")!
}
