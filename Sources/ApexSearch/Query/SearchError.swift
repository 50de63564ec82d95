/// Why a search could not be answered. `description` is safe to show (it never holds SQL or
/// stored text); the ``code`` is stable, and new codes never break callers.
public struct SearchError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a stable code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String { case invalidQuery = "invalid_query", invalidCursor = "invalid_cursor", unavailable = "search_unavailable" }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The search text is empty, too long, holds control characters or finds nothing to match.
        public static let invalidQuery = Code(.invalidQuery)
        /// The cursor is not one this server issued for this query and these filters.
        public static let invalidCursor = Code(.invalidCursor)
        /// The store has no database for a search index (the in-memory store).
        public static let unavailable = Code(.unavailable)

        /// `invalid_query`, `invalid_cursor` or `search_unavailable`.
        public var description: String { value.rawValue }
    }

    /// The code.
    public let code: Code
    /// A message a person can act on.
    public let message: String
    /// The request field at fault (`q`, `cursor`), if any.
    public let field: String?

    /// An error.
    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// The message.
    public var description: String { message }
}
