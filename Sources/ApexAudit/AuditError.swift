/// Why a bundle or report could not be made.
///
/// A bundle that fails verification is not an error: ``BundleVerifier`` returns a
/// ``BundleVerification`` naming every problem. This is for the writer's side: no such project,
/// a log with a gap, a file that cannot be written.
package struct AuditError: Error, Sendable, CustomStringConvertible {
    /// A stable code.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable { case notFound = "not_found", invalidArgument = "invalid_argument", damagedStore = "damaged_store", write }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The project has no events in this store.
        package static let notFound = Code(.notFound)
        /// An argument (a project id) is malformed.
        package static let invalidArgument = Code(.invalidArgument)
        /// The store's log has a gap or does not replay: run `apex-cli verify`.
        package static let damagedStore = Code(.damagedStore)
        /// The output file could not be written.
        package static let write = Code(.write)
        /// The code's text.
        package var description: String { base.rawValue }
    }

    /// What went wrong.
    package var code: Code
    /// A message safe to show, saying what to do.
    package var message: String

    /// An error.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message alone: the CLI prints it as it is.
    package var description: String { message }
}
