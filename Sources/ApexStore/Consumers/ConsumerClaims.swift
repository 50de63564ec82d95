import Synchronization

/// The claims on consumers held in this process, for the stores whose consumers run in one
/// process (SQLite and memory): ``EventStore/withConsumerClaim(_:_:)`` there.
package final class ConsumerClaims: Sendable {
    private let held = Mutex<Set<String>>([])

    /// Claims shared by every store of the process (SQLite: keyed by the database file).
    package static let process = ConsumerClaims()

    package init() {}

    /// Runs `body` holding the claim on `key`; nil, without running it, when it is held already.
    package func with<T: Sendable>(_ key: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        guard held.withLock({ $0.insert(key).inserted }) else { return nil }
        defer { _ = held.withLock { $0.remove(key) } }
        return try await body()
    }
}
