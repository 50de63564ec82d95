/// The headers every `/ui/` response carries, and the session cookie's name.
public enum WebHeaders {
    /// Scripts, styles, images and connections from this origin only; no inline script; no
    /// framing; forms post only here.
    public static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    /// `nosniff`.
    public static let contentTypeOptions = "nosniff"
    /// `same-origin`: links to other sites carry no referrer.
    public static let referrerPolicy = "same-origin"
    /// The session cookie.
    public static let sessionCookie = "apex_session"
}
