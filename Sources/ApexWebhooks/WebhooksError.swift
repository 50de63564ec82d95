/// A webhook operation that could not be done: a URL refused by the SSRF guard, a malformed
/// secret, a store without tables for webhooks. ``description`` is safe to show (never a secret).
public struct WebhooksError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Kind: String { case invalidURL = "invalid_url", urlRefused = "url_refused", invalidSecret = "invalid_secret", unavailable = "webhooks_unavailable" }
        let kind: Kind
        /// The URL is not an absolute `https` (or, where allowed, `http`) URL with a host.
        public static let invalidURL = Code(kind: .invalidURL)
        /// The URL's host resolves to an address the SSRF guard refuses (loopback, private, …).
        public static let urlRefused = Code(kind: .urlRefused)
        /// A secret is not `whsec_` followed by base64 of 24-64 bytes.
        public static let invalidSecret = Code(kind: .invalidSecret)
        /// The store keeps no feature tables (the in-memory store).
        public static let unavailable = Code(kind: .unavailable)
        /// The stable code, e.g. `url_refused`.
        public var description: String { kind.rawValue }
    }

    /// What kind of failure.
    public let code: Code
    /// A message a person can act on.
    public let message: String

    /// An error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
