import ApexDomain
import Foundation
import Synchronization

/// The search documents the consumer built last for each project, at their version, within a
/// budget of documents (a project with hundreds of calculations holds hundreds); over it, the
/// oldest kept are dropped. Only a shortcut: a miss builds the documents from the state again.
final class DocumentMemo: Sendable {
    /// The most documents kept in all.
    static let budget = 50_000

    private struct Kept {
        var version: Int64
        var documents: [SearchDocument]
        var order: UInt64
    }

    private struct Memo {
        var kept: [UUID: Kept] = [:]
        var count = 0
        var clock: UInt64 = 0
    }

    private let memo = Mutex(Memo())

    /// The documents kept for `project` if they are those of `version`.
    func documents(of project: UUID, at version: Int64) -> [SearchDocument]? {
        memo.withLock { memo in memo.kept[project].flatMap { $0.version == version ? $0.documents : nil } }
    }

    /// Keeps `documents` as `project`'s at `version`, dropping the oldest kept over the budget.
    func keep(_ documents: [SearchDocument], of project: UUID, at version: Int64) {
        memo.withLock { memo in
            if let old = memo.kept.removeValue(forKey: project) { memo.count -= old.documents.count }
            guard documents.count <= Self.budget else { return }
            memo.clock += 1
            memo.kept[project] = Kept(version: version, documents: documents, order: memo.clock)
            memo.count += documents.count
            while memo.count > Self.budget, let oldest = memo.kept.min(by: { $0.value.order < $1.value.order }) {
                memo.kept[oldest.key] = nil
                memo.count -= oldest.value.documents.count
            }
        }
    }
}
