import Foundation
import Synchronization

/// A backend whose tables are created before its first use, once per process (creating them
/// again is harmless: every statement is idempotent).
final class PreparedBackend: SearchBackend {
    private let base: any SearchBackend
    private let ready = Atomic<Bool>(false)

    init(_ base: any SearchBackend) { self.base = base }

    func prepare() async throws {
        guard !ready.load(ordering: .acquiring) else { return }
        try await base.prepare()
        ready.store(true, ordering: .releasing)
    }

    func clear() async throws {
        try await prepare()
        try await base.clear()
    }

    func replace(_ projects: [IndexedProject]) async throws {
        try await prepare()
        try await base.replace(projects)
    }

    func rows(
        account: UUID, query: SearchQuery, filter: SearchFilter, scopes: [SearchScope], after cursor: SearchCursor?, limit: Int
    ) async throws -> [SearchHit] {
        try await prepare()
        return try await base.rows(account: account, query: query, filter: filter, scopes: scopes, after: cursor, limit: limit)
    }
}
