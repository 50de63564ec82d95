public import ApexDomain

/// Why a store operation failed: a stable ``Code`` and a message safe to show.
///
/// The message never holds SQL arguments, passwords or event data; ``debugDescription`` may
/// add the underlying error for logs.
public struct EventStoreError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A stable error code; new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case versionConflict = "version_conflict"
            case duplicateEventID = "duplicate_event_id"
            case unavailable = "store_unavailable"
            case integrityFailure = "integrity_failure"
            case schemaTooNew = "schema_too_new"
            case invalidEvent = "invalid_event"
            case invalidURL = "invalid_store_url"
            case appendOnly = "append_only"
            case storeNotFound = "store_not_found"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The stream is not at the expected version.
        public static let versionConflict = Code(.versionConflict)
        /// An event id exists already in another place than this append.
        public static let duplicateEventID = Code(.duplicateEventID)
        /// The database could not be reached or opened.
        public static let unavailable = Code(.unavailable)
        /// Stored data does not match its hashes.
        public static let integrityFailure = Code(.integrityFailure)
        /// The database was created by a newer Apex.
        public static let schemaTooNew = Code(.schemaTooNew)
        /// An event to append is malformed.
        public static let invalidEvent = Code(.invalidEvent)
        /// The store URL cannot be understood.
        public static let invalidURL = Code(.invalidURL)
        /// Something tried to change or delete a recorded event.
        public static let appendOnly = Code(.appendOnly)
        /// The store was never created: no SQLite file, or no Apex schema in the PostgreSQL database.
        public static let storeNotFound = Code(.storeNotFound)

        /// The code's text, e.g. `version_conflict`.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A message safe to show.
    public var message: String
    /// For a conflict: the stream.
    public var stream: StreamID?
    /// For a conflict: the stream's actual version.
    public var actualVersion: Int64?
    /// The underlying error, for logs only.
    public var underlying: String?

    /// An error.
    public init(_ code: Code, _ message: String, stream: StreamID? = nil, actualVersion: Int64? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.stream = stream
        self.actualVersion = actualVersion
        self.underlying = underlying.map { String(reflecting: $0) }
    }

    /// A version conflict on `stream`.
    public static func conflict(_ stream: StreamID, expected: ExpectedVersion, actual: Int64) -> EventStoreError {
        EventStoreError(
            .versionConflict, "stream \(stream) is at version \(actual), expected \(expected)", stream: stream, actualVersion: actual)
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
    /// The description and the underlying error.
    public var debugDescription: String { underlying.map { "\(description) (\($0))" } ?? description }
}
