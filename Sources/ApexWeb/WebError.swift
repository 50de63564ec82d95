/// Why the web feature could not do what was asked. `description` is safe to show.
public struct WebError: Error, Sendable, CustomStringConvertible {
    /// A stable kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Kind: String { case template, invalidLink, spentLink, unavailable }
        let kind: Kind
        /// A template or resource is missing or does not parse.
        public static let template = Code(kind: .template)
        /// A sign-in link is malformed, forged or expired.
        public static let invalidLink = Code(kind: .invalidLink)
        /// A sign-in link was already used.
        public static let spentLink = Code(kind: .spentLink)
        /// The store keeps no feature tables (the in-memory store).
        public static let unavailable = Code(kind: .unavailable)
        /// The code as snake_case.
        public var description: String {
            switch kind {
            case .template: "template"
            case .invalidLink: "invalid_link"
            case .spentLink: "link_used"
            case .unavailable: "unavailable"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// A sentence a person can act on.
    public var description: String

    /// An error of `code`.
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
