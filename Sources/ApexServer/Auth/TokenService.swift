import ApexDomain
import ApexStore
public import Foundation
import HTTPTypes
import Hummingbird
import JWTKit
import Logging
import NIOCore

/// Bearer tokens: HS256 JWTs naming the user and account. The role is not in the token: it is
/// looked up on every request, so a removed or demoted user loses access at once.
public struct TokenService: Sendable {
    struct Payload: JWTPayload {
        var sub: SubjectClaim
        var acct: String
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        /// Never issued by this server; honoured (and checked) when present.
        var nbf: NotBeforeClaim?

        /// Expiry is checked in ``TokenService/verify(_:now:)``, against the server's clock.
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    private let keys: JWTKeyCollection

    /// A service signing and verifying with `secret` (at least 32 bytes).
    public init(secret: String) async throws {
        guard secret.utf8.count >= 32 else { throw ConfigurationError("APEX_JWT_SECRET must be at least 32 bytes long") }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
    }

    /// A token for `user` of `account`, valid for `ttl` from `now`.
    public func issue(user: UUID, account: UUID, ttl: Duration = .seconds(12 * 3600), now: Date = Date()) async throws -> String {
        let payload = Payload(
            sub: SubjectClaim(value: user.uuidString.lowercased()), acct: account.uuidString.lowercased(),
            exp: ExpirationClaim(value: now.addingTimeInterval(TimeInterval(ttl.components.seconds))), iat: IssuedAtClaim(value: now), nbf: nil)
        return try await keys.sign(payload)
    }

    /// How far in the future `iat` and `nbf` may be: clock skew between servers sharing the secret.
    public static let leeway: TimeInterval = 60

    /// The user and account a token names, or nil when it is malformed, forged, unsigned,
    /// expired at `now` (the same clock that issued it: ``ServerConfiguration/clock``), not yet
    /// valid (`nbf` or `iat` more than ``leeway`` after `now`), or when its header is not exactly
    /// what this server issues: `alg` `HS256`, no `kid` (there is one unnamed key, so any named
    /// key is unknown), `typ` absent or `JWT`.
    public func verify(_ token: String, now: Date = Date()) async -> (user: UUID, account: UUID)? {
        guard Self.headerIsOurs(token), let payload = try? await keys.verify(token, as: Payload.self),
            (try? payload.exp.verifyNotExpired(currentDate: now)) != nil,
            payload.iat.value.timeIntervalSince(now) <= Self.leeway,
            payload.nbf.map({ $0.value.timeIntervalSince(now) <= Self.leeway }) ?? true,
            let user = UUID(uuidString: payload.sub.value),
            let account = UUID(uuidString: payload.acct)
        else { return nil }
        return (user, account)
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
