import Crypto
public import Foundation

/// One-time sign-in links: `BASE/ui/sign-in?token=TOKEN`, where the token names a user of an
/// account, an expiry and an id of its own, signed with a key derived from the server's secret
/// for this purpose only (a link's token is never a bearer token, and a bearer token is never a
/// link). That it is used once is not in the token: the ``WebTokenLedger`` records spent ids.
public struct SignInLinks: Sendable {
    /// What a valid link says.
    public struct Claims: Sendable, Hashable {
        /// The user signing in.
        public var user: UUID
        /// Their account.
        public var account: UUID
        /// Until when the link may be used.
        public var expiresAt: Date
        /// The link's own id (what the ledger records once it is used).
        public var id: String
    }

    /// How long a link is valid by default: 15 minutes.
    public static let defaultLifetime: Duration = .seconds(15 * 60)
    let key: SymmetricKey

    /// Links signed with a key derived from `secret` (the server's `APEX_JWT_SECRET`).
    public init(secret: String) {
        key = WebKeys.derive(secret, purpose: "apex.web.sign-in-link.v1")
    }

    /// A new link's token for `user` of `account`, valid for `lifetime` from `now`.
    public func issue(user: UUID, account: UUID, now: Date, lifetime: Duration = SignInLinks.defaultLifetime) -> String {
        let expires = Int64(now.timeIntervalSince1970) + lifetime.components.seconds
        let payload = [user.uuidString.lowercased(), account.uuidString.lowercased(), String(expires), UUID().uuidString.lowercased()]
            .joined(separator: "|")
        let body = WebKeys.base64URL(Data(payload.utf8))
        return body + "." + WebKeys.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key)))
    }

    /// What `token` says, or nil when it is malformed, forged or expired at `now`.
    public func verify(_ token: String, now: Date) -> Claims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 512, parts.count == 2, let mac = WebKeys.data(base64URL: String(parts[1])),
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(parts[0].utf8), using: key),
            let payload = WebKeys.data(base64URL: String(parts[0])).map({ String(decoding: $0, as: UTF8.self) })
        else { return nil }
        let fields = payload.split(separator: "|").map(String.init)
        guard fields.count == 4, let user = UUID(uuidString: fields[0]), let account = UUID(uuidString: fields[1]),
            let expires = Int64(fields[2]), UUID(uuidString: fields[3]) != nil
        else { return nil }
        let expiresAt = Date(timeIntervalSince1970: TimeInterval(expires))
        guard now < expiresAt else { return nil }
        return Claims(user: user, account: account, expiresAt: expiresAt, id: fields[3])
    }

    /// The link a person opens: `base` (the server's public address) + `/ui/sign-in?token=`.
    public static func url(base: String, token: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/ui/sign-in?token=" + token
    }
}
