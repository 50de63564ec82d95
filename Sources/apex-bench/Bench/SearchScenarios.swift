import ApexCommandLine
import ApexDomain
import ApexSearch
import ApexStore
import Foundation
import GRDB
import PostgresNIO

/// `search.query`: what `GET /v1/search` does (check the index is current, rank the matches,
/// make snippets, ask the policy of each hit) over one account of 10,000 projects (300 with
/// `--quick`), against the bare ranked SELECT of the same matches' keys on the same tables.
/// Also reports how fast the `search` consumer indexed them (`extra.indexedProjectsPerSecond`).
enum SearchScenarios {
    static let words = [
        "pylon", "monument", "gantry", "sign", "austin", "dallas", "houston", "lit", "channel", "letters", "cabinet", "wall",
        "roof", "pole", "tower", "board", "digital", "neon", "steel", "aluminum", "frame", "footing", "anchor", "wind", "coastal",
    ]

    static func run(_ kind: StoreKind, context: BenchContext, report: (ScenarioResult) -> Void) async throws {
        try await BenchHarness.with(kind, context: context) { h in
            let count = context.quick ? 300 : 10_000
            let account = UUID(), owner = UUID()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var rng = SeededGenerator(seed: context.seed, scenario: "search-projects", worker: worker)
                        for i in stride(from: worker, to: count, by: 4) {
                            let id = UUID()
                            let fields = ProjectFields(
                                name: "\(words.randomElement(using: &rng)!.capitalized) \(words.randomElement(using: &rng)!) \(i)",
                                description: (0..<20).map { _ in words.randomElement(using: &rng)! }.joined(separator: " "),
                                tags: [words.randomElement(using: &rng)!], site: Site(city: "Austin", state: "TX"))
                            let drafts = try ProjectDecider.decide(.create(projectID: id, fields: fields), state: ProjectState(), context: DecisionContext(now: Date()))
                            _ = try await h.store.append(
                                drafts.map { $0.proposed(id: UUID(), accountID: account, actor: .user(owner)) }, to: .project(id), expected: .noStream)
                        }
                    }
                }
                try await group.waitForAll()
            }
            var options = SearchIndex.Options()
            options.catchUpWait = .seconds(3600)
            options.inlineCatchUpLimit = .max
            let index = SearchIndex(store: h.store, options: options, logger: context.logger)
            let clock = ContinuousClock()
            let start = clock.now
            try await index.catchUp()
            let indexing = clock.now - start

            var rng = SeededGenerator(seed: context.seed, scenario: "search-queries", worker: 0)
            let queries = try (0..<64).map { _ in try SearchQuery("\(words.randomElement(using: &rng)!) \(words.randomElement(using: &rng)!.prefix(3))") }
            let me = Principal(userID: owner, accountID: account, role: .owner)
            let raw = RawSearch(database: h.store.featureDatabase, account: account)
            var (r, a) = (0, 0)
            let (rawSide, apexSide) = try await Comparison.measure(
                rounds: context.rounds,
                raw: {
                    try await ClosedLoop.passes(minimum: context.duration, maxPasses: 1_000_000) {
                        r += 1
                        _ = try await raw.keys(queries[r % queries.count])
                        return 1
                    }
                },
                apex: {
                    try await ClosedLoop.passes(minimum: context.duration, maxPasses: 1_000_000) {
                        a += 1
                        _ = try await index.search(queries[a % queries.count], principal: me, now: Date(), limit: 20)
                        return 1
                    }
                })
            var result = ScenarioResult(
                id: "search.query", title: "search \(count) projects, 20 hits", store: kind, concurrency: 1,
                workload: "SearchIndex.search (catch-up check, rank, snippets, policy) vs the ranked SELECT of 21 keys; a word and a 3-letter prefix",
                apex: apexSide, raw: rawSide, minRatio: nil)
            result.extra["indexedProjectsPerSecond"] = Double(count) / indexing.seconds
            report(result)
        }
    }

    /// The bare ranked query on the index's own tables.
    struct RawSearch: Sendable {
        let database: FeatureDatabase
        let account: UUID

        /// How many keys the first page holds.
        func keys(_ query: SearchQuery) async throws -> Int {
            switch database {
            case .sqlite(let pool):
                return try await pool.read { db in
                    try String.fetchAll(
                        db,
                        sql: """
                            SELECT d.doc_key FROM search_text JOIN search_documents d ON d.id = search_text.rowid
                            WHERE search_text MATCH ? AND d.account_id = ? ORDER BY bm25(search_text, 10.0, 4.0, 1.0), d.doc_key LIMIT 21
                            """, arguments: [query.fts5Pattern, account.lowercased]
                    ).count
                }
            case .postgres(let client):
                var n = 0
                let rows = try await client.query(
                    """
                    SELECT doc_key FROM search_documents WHERE account_id = \(account) AND document @@ to_tsquery('simple', \(query.tsquery))
                    ORDER BY ts_rank(document, to_tsquery('simple', \(query.tsquery))) DESC, doc_key LIMIT 21
                    """, logger: Logger(label: "apex.bench.search"))
                for try await _ in rows { n += 1 }
                return n
            case .none:
                return 0
            }
        }
    }
}
