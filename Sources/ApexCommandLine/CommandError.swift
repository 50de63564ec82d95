package import ApexDomain

/// A failure a command reports in one line, with what to do, and a stable ``Code``.
///
/// Its ``description`` is `code: message`, as `EventStoreError` writes it (only the message for
/// the generic ``Code/failed``); with `--json`, `apex-cli` also prints ``json`` on standard output.
package struct CLIError: Error, Sendable, CustomStringConvertible {
    /// A stable error code; new codes may be added.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case failed = "command_failed"
            case invalidArgument = "invalid_argument"
            case storeNotFound = "store_not_found"
            case noSigningKey = "no_signing_key"
            case projectNotFound = "project_not_found"
            case projectNotYetCreated = "project_not_yet_created"
            case unknownConsumer = "unknown_consumer"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Any other failure.
        package static let failed = Code(.failed)
        /// A flag or setting has a value the command cannot use.
        package static let invalidArgument = Code(.invalidArgument)
        /// The store has never been created: a read command creates nothing.
        package static let storeNotFound = Code(.storeNotFound)
        /// No checkpoint signing key is configured or kept where the command looked.
        package static let noSigningKey = Code(.noSigningKey)
        /// The store holds no such project.
        package static let projectNotFound = Code(.projectNotFound)
        /// The project's first event was recorded after the time asked for.
        package static let projectNotYetCreated = Code(.projectNotYetCreated)
        /// No consumer of the log (nor read model) has that name.
        package static let unknownConsumer = Code(.unknownConsumer)

        /// The code's text, e.g. `store_not_found`.
        package var description: String { base.rawValue }
    }

    /// What went wrong.
    package var code: Code
    /// What went wrong and what to do, safe to show.
    package var message: String

    /// A failure with a code.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A failure with the generic code ``Code/failed``.
    package init(_ message: String) { self.init(.failed, message) }

    /// `code: message`, or the message alone for ``Code/failed``.
    package var description: String { code == .failed ? message : "\(code): \(message)" }

    /// `{"error": {"code": …, "message": …}}`.
    package var json: JSONValue { Self.json(code: code.description, message: message) }

    /// The same shape for another library's coded error.
    package static func json(code: String, message: String) -> JSONValue {
        ["error": ["code": .string(code), "message": .string(message)]]
    }
}
