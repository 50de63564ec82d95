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
            exp: ExpirationClaim(value: now.addingTimeInterval(TimeInterval(ttl.components.seconds))), iat: IssuedAtClaim(value: now))
        return try await keys.sign(payload)
    }

    /// The user and account a token names, or nil when it is malformed, forged, unsigned or
    /// expired at `now` (the same clock that issued it: ``ServerConfiguration/clock``).
    public func verify(_ token: String, now: Date = Date()) async -> (user: UUID, account: UUID)? {
        guard let payload = try? await keys.verify(token, as: Payload.self), (try? payload.exp.verifyNotExpired(currentDate: now)) != nil,
            let user = UUID(uuidString: payload.sub.value),
            let account = UUID(uuidString: payload.acct)
        else { return nil }
        return (user, account)
    }
}
