import ApexDomain
import ApexStore
import Foundation

/// The audit-log workload's events: `audit.recorded` with exactly 256 bytes of canonical JSON
/// data, a user actor, and request metadata whose address and user agent are personal data
/// (sealed by the store), as the HTTP API records them.
struct AuditEvents: Sendable {
    static let dataBytes = 256
    static let type = "audit.recorded"

    let account: UUID
    let user: UUID
    var rng: SeededGenerator
    private var sequence = 0

    init(account: UUID, user: UUID, rng: SeededGenerator) {
        self.account = account
        self.user = user
        self.rng = rng
    }

    /// The next event.
    mutating func next() -> ProposedEvent {
        sequence += 1
        return ProposedEvent(
            id: rng.uuid(), type: Self.type, data: data(), accountID: account, actor: .user(user),
            requestMetadata: RequestMetadata(
                ipAddress: "203.0.113.\(sequence % 200 + 10)", userAgent: "apex-bench/1 (audit-log)", requestID: "req-\(sequence)"))
    }

    /// The next `count` events.
    mutating func next(_ count: Int) -> [ProposedEvent] { (0..<count).map { _ in next() } }

    /// A data object whose canonical JSON is exactly ``dataBytes`` long.
    private mutating func data() -> JSONValue {
        let actions = ["document.viewed", "document.exported", "drawing.opened", "login.succeeded"]
        var members: [String: JSONValue] = [
            "action": .string(actions[Int(rng.next() % 4)]),
            "object": .string("doc-\(rng.next() % 100_000)"),
            "seq": .number(Double(sequence)),
            "detail": "",
        ]
        let padding = Self.dataBytes - CanonicalJSON.bytes(.object(members)).count
        members["detail"] = .string(rng.text(max(0, padding)))
        return .object(members)
    }
}

/// A row of the raw baseline's table, the same columns and sizes as an Apex event row: the
/// payload is the same event's data; actor and request metadata are the texts Apex stores for
/// such an event (request metadata sealed), taken once from ``RawTemplate``.
struct RawRow: Sendable {
    var stream: String
    var version: Int64
    var id: UUID
    var type: String
    var schemaVersion: Int
    var data: String
    var accountID: UUID
    var actor: String
    var requestMetadata: String
    var reason: String?
    var recordedAt: String
    var prevHash: String
    var hash: String
}

/// The stored texts of one real Apex event: what the raw rows copy so that they have the size
/// of an Apex row without doing Apex's work.
struct RawTemplate: Sendable {
    let actor: String
    let requestMetadata: String
    let prevHash: String
    let hash: String

    /// Seals `sample` exactly as an append would (with a throwaway key) and keeps its texts.
    init(sample: ProposedEvent) throws {
        let drafts = AppendPlanner.envelopes([sample], stream: StreamID(rawValue: "audit-0"), head: nil, firstPosition: 1, recordedAt: Date())
        let keys = Dictionary(uniqueKeysWithValues: AppendPlanner.subjects(of: drafts).map { ($0, Sealer.newKey()) })
        let columns = try AppendPlanner.seal(drafts, head: nil, keys: keys).rows[0]
        actor = columns.actor
        requestMetadata = columns.requestMetadata
        prevHash = columns.hash
        hash = columns.hash
    }

    /// The raw row for `event` at `version` of `stream`, stamped now.
    func row(_ event: ProposedEvent, stream: String, version: Int64) -> RawRow {
        RawRow(
            stream: stream, version: version, id: event.id, type: event.type, schemaVersion: event.schemaVersion,
            data: CanonicalJSON.string(event.data), accountID: event.accountID, actor: actor, requestMetadata: requestMetadata,
            reason: event.reason, recordedAt: Timestamp.format(Date()), prevHash: prevHash, hash: hash)
    }
}
