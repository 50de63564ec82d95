/// Why a live stream could not be opened; `description` is safe to show.
public struct LiveError: Error, Sendable, CustomStringConvertible {
    /// A stable code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String {
            case unavailable = "live_unavailable"
            case presenceUnavailable = "presence_unavailable"
        }
        private let value: Value
        /// The feed has stopped (the server is shutting down).
        public static let unavailable = Code(value: .unavailable)
        /// The store keeps no feature tables (the in-memory store): presence cannot be shared.
        public static let presenceUnavailable = Code(value: .presenceUnavailable)
        /// The code as the API names it.
        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// A message a person can act on.
    public let description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
