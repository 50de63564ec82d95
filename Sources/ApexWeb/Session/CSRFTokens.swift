import Crypto
import Foundation

/// The token every form of a signed-in page carries and every `POST` under `/ui/` must send
/// back (field `csrf_token`, or header `X-CSRF-Token` from scripts): an HMAC of the session's id
/// under a key derived from the server's secret for this purpose. Nothing is stored; another
/// site cannot read a page to learn it, and it is worthless with any other session.
public struct CSRFTokens: Sendable {
    let key: SymmetricKey

    /// Tokens under a key derived from `secret` (the server's `APEX_JWT_SECRET`).
    public init(secret: String) {
        key = WebKeys.derive(secret, purpose: "apex.web.csrf.v1")
    }

    /// The token of the session `sessionID`.
    public func token(session sessionID: String) -> String {
        WebKeys.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(sessionID.utf8), using: key)))
    }

    /// Whether `token` is the token of `sessionID` (compared in constant time).
    public func isValid(_ token: String?, session sessionID: String) -> Bool {
        guard let token, let mac = WebKeys.data(base64URL: token) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(sessionID.utf8), using: key)
    }
}
