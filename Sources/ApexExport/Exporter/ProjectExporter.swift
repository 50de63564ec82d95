public import ApexDomain
public import ApexStore
public import Foundation

/// Reads projects, calculations and audit trails from a store in pages and writes them as an
/// export: the HTTP routes, `apex-cli export` and the benchmark all export through this.
///
/// Memory stays flat whatever the store holds: a bulk export reads the project list's read
/// model (``ProjectListProjection``) a page at a time, and a project's audit trail is read and
/// replayed a page at a time, each row written as it is made.
public struct ProjectExporter: Sendable {
    /// The store read.
    public let store: any EventStore
    /// How rows are shown as JSON (the API's shapes and redaction).
    public let presentation: ExportPresentation
    /// Documents or events read at a time.
    public var pageSize: Int

    /// An exporter reading `store`, showing what it reads through `presentation`.
    public init(store: any EventStore, presentation: ExportPresentation, pageSize: Int = 500) {
        self.store = store
        self.presentation = presentation
        self.pageSize = max(1, pageSize)
    }

    // MARK: Every project of an account

    /// Calls `body` with each project summary of `account` that `include` admits, in the read
    /// model's key order (project id), a page at a time. Returns how many were admitted.
    @discardableResult
    public func forEachProject(
        account: UUID, where include: (ProjectState) -> Bool, _ body: (ProjectState) async throws -> Void
    ) async throws -> Int {
        let projection = ProjectListProjection()
        var after: String?
        var count = 0
        while true {
            let page = try await store.projectionDocuments(projection, partition: account.lowercased, after: after, limit: pageSize)
            for document in page {
                let state = try CanonicalJSON.decode(ProjectState.self, from: document.document)
                guard include(state) else { continue }
                count += 1
                try await body(state)
            }
            guard page.count == pageSize, let last = page.last else { return count }
            after = last.key
        }
    }

    /// The `Projects` table of the projects `include` admits, one row each. Returns the row count.
    @discardableResult
    public func writeProjects(account: UUID, where include: (ProjectState) -> Bool, to writer: inout some TableWriter) async throws -> Int {
        try await writer.begin(ExportTables.projects)
        var rows = writer
        let count = try await forEachProject(account: account, where: include) { state in try await rows.row(ExportTables.projectRow(state)) }
        writer = rows
        return count
    }

    /// NDJSON: each project `include` admits as one line of JSON (the API's project shape).
    @discardableResult
    public func writeProjectLines(account: UUID, where include: (ProjectState) -> Bool, to sink: inout some ExportSink) async throws -> Int {
        var lines = LineBuffer(sink: sink)
        let count = try await forEachProject(account: account, where: include) { state in
            try await lines.append(CanonicalJSON.bytes(presentation.project(state)) + [0x0A])
        }
        try await lines.flush()
        sink = lines.sink
        return count
    }
}

/// Gathers small writes into chunks of about 64 KiB before they reach the sink.
struct LineBuffer<Sink: ExportSink> {
    var sink: Sink
    var bytes: [UInt8] = []

    mutating func append(_ more: [UInt8]) async throws {
        bytes.append(contentsOf: more)
        if bytes.count >= 64 * 1024 { try await flush() }
    }

    mutating func flush() async throws {
        guard !bytes.isEmpty else { return }
        try await sink.write(bytes)
        bytes.removeAll(keepingCapacity: true)
    }
}
