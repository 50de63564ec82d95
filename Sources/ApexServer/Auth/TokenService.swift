import ApexDomain
import ApexStore
public import Foundation
import HTTPTypes
import Hummingbird
import JWTKit
import Logging
import NIOCore

/// Bearer tokens: HS256 JWTs naming the user and account, each with its own id (`jti`). The role
/// is not in the token: it is looked up on every request, so a removed or demoted user loses
/// access at once, and so does every token issued before the user's token epoch
/// (``AccountUser/tokensNotBefore``, set by signing out everywhere or revoking their tokens).
public struct TokenService: Sendable {
    struct Payload: JWTPayload {
        var sub: SubjectClaim
        var acct: String
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        /// The token's id; tokens issued before it existed have none.
        var jti: IDClaim?
        /// Never issued by this server; honoured (and checked) when present.
        var nbf: NotBeforeClaim?

        /// Expiry is checked in ``TokenService/verify(_:now:)``, against the server's clock.
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// What a valid token says.
    public struct Claims: Sendable, Hashable {
        /// The user.
        public var user: UUID
        /// Their account.
        public var account: UUID
        /// When it was issued (`iat`).
        public var issuedAt: Date
        /// Its id (`jti`), when it has one.
        public var id: String?
    }

    private let keys: JWTKeyCollection
    /// The longest a token is accepted after it was issued, whatever its `exp` says.
    public let maximumLifetime: Duration

    /// A service signing and verifying with `secret` (at least 32 bytes); tokens are refused
    /// once `maximumLifetime` has passed since they were issued (`APEX_MAX_TOKEN_LIFETIME`).
    public init(secret: String, maximumLifetime: Duration = TokenService.defaultMaximumLifetime) async throws {
        self.maximumLifetime = maximumLifetime
        guard secret.utf8.count >= 32 else { throw ConfigurationError("APEX_JWT_SECRET must be at least 32 bytes long") }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
    }

    /// The default ``maximumLifetime``: 30 days.
    public static let defaultMaximumLifetime: Duration = .seconds(30 * 86_400)

    /// A token for `user` of `account`, valid for `ttl` from `now` (at most ``maximumLifetime``),
    /// with a new random `jti`.
    public func issue(user: UUID, account: UUID, ttl: Duration = .seconds(12 * 3600), now: Date = Date()) async throws -> String {
        let seconds = min(ttl.components.seconds, maximumLifetime.components.seconds)
        let payload = Payload(
            sub: SubjectClaim(value: user.uuidString.lowercased()), acct: account.uuidString.lowercased(),
            exp: ExpirationClaim(value: now.addingTimeInterval(TimeInterval(seconds))), iat: IssuedAtClaim(value: now),
            jti: IDClaim(value: UUID().uuidString.lowercased()), nbf: nil)
        return try await keys.sign(payload)
    }

    /// How far in the future `iat` and `nbf` may be: clock skew between servers sharing the secret.
    public static let leeway: TimeInterval = 60

    /// The user and account a token names, or nil when it is malformed, forged, unsigned,
    /// expired at `now` (the same clock that issued it: ``ServerConfiguration/clock``), issued
    /// more than ``maximumLifetime`` before `now`, not yet
    /// valid (`nbf` or `iat` more than ``leeway`` after `now`), or when its header is not exactly
    /// what this server issues: `alg` `HS256`, no `kid` (there is one unnamed key, so any named
    /// key is unknown), `typ` absent or `JWT`.
    public func verify(_ token: String, now: Date = Date()) async -> Claims? {
        guard Self.headerIsOurs(token), let payload = try? await keys.verify(token, as: Payload.self),
            (try? payload.exp.verifyNotExpired(currentDate: now)) != nil,
            payload.iat.value.timeIntervalSince(now) <= Self.leeway,
            now.timeIntervalSince(payload.iat.value) <= TimeInterval(maximumLifetime.components.seconds),
            payload.nbf.map({ $0.value.timeIntervalSince(now) <= Self.leeway }) ?? true,
            let user = UUID(uuidString: payload.sub.value),
            let account = UUID(uuidString: payload.acct)
        else { return nil }
        return Claims(user: user, account: account, issuedAt: payload.iat.value, id: payload.jti?.value)
    }

    /// Whether the token's JOSE header is one this server issues (see ``verify(_:now:)``).
    static func headerIsOurs(_ token: String) -> Bool {
        guard let dot = token.firstIndex(of: ".") else { return false }
        var text = token[..<dot].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.utf8.count % 4) % 4)
        guard text.utf8.count <= 1024, let data = Data(base64Encoded: text), case .object(let header)? = try? JSONValue.parse(data)
        else { return false }
        guard header["alg"] == .string("HS256"), header["kid"] == nil else { return false }
        if let typ = header["typ"], typ != .string("JWT") { return false }
        return true
    }
}
