/// Why an analytics request failed: a stable ``Code`` (the problem's `code`), a message, and
/// the query parameter at fault.
public struct AnalyticsError: Error, Sendable, Hashable {
    /// The stable codes.
    public enum Code: String, Sendable, Hashable, CustomStringConvertible {
        /// A parameter is malformed (400): a date that is not `YYYY-MM-DD`, an unknown interval.
        case invalidQuery = "invalid_query"
        /// The parameters are well formed but the range is not acceptable (422): `from` after
        /// `to`, or longer than ``UsageRange/maximumDays``.
        case invalidRange = "invalid_range"
        /// The cursor is not one this endpoint handed out (400).
        case invalidCursor = "invalid_cursor"
        /// The store keeps no feature tables (in memory) (503).
        case unavailable

        /// The code's text.
        public var description: String { rawValue }
    }

    /// The code.
    public var code: Code
    /// What is wrong, for a person.
    public var message: String
    /// The query parameter at fault.
    public var field: String?

    /// An error.
    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }
}
