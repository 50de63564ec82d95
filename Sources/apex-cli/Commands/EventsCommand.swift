import ApexCommandLine
import ApexDomain
import ApexStore
import ArgumentParser
import Foundation
import Logging

/// `apex-cli events`: the raw trail, filtered, streamed page by page (constant memory).
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Print the raw event trail, filtered.")

    @Option(help: "Only this stream (e.g. project-<uuid>).") var stream: String?
    @Option(help: "Start after this global position.") var fromPosition: Int64 = 0
    @Option(help: "Only this event type.") var type: String?
    @Option(help: "Only events by this user id.") var actor: String?
    @Option(help: "Only events recorded at or after this ISO 8601 time.") var since: String?
    @Option(help: "Only events recorded before this ISO 8601 time.") var until: String?
    @OptionGroup var store: StoreOption
    @Flag(help: "One JSON object per line (NDJSON).") var json = false

    func run() async throws {
        let since = try since.map { try Self.time($0, "--since") }
        let until = try until.map { try Self.time($0, "--until") }
        let actorID = try actor.map { text -> UUID in
            guard let id = UUID(uuidString: text) else { throw CLIError("--actor must be a user id (a UUID)") }
            return id
        }
        let filter = { (e: EventEnvelope) -> Bool in
            if let type = self.type, e.type != type { return false }
            if let actorID, e.actor.userID != actorID { return false }
            if let since, e.recordedAt < since { return false }
            if let until, e.recordedAt >= until { return false }
            return true
        }
        let url = try Settings().storeURL(store.url)
        let json = self.json
        let stream = self.stream.map(StreamID.init(rawValue:))
        let from = fromPosition
        try await EventStores.withExistingStore(url: url, logger: makeLogger(level: .warning)) { store in
            var cursor = from
            var version: Int64 = 1
            while true {
                let page: [EventEnvelope]
                if let stream {
                    page = try await store.readStream(stream, from: version, limit: 1000, mode: .opened).filter { $0.position > from }
                    version += 1000
                } else {
                    page = try await store.readAll(after: cursor, limit: 1000, mode: .opened)
                }
                guard let last = page.last else { break }
                cursor = last.position
                for event in page where filter(event) { Self.print(event, json: json) }
                if stream != nil, page.count < 1000 { break }
            }
        }
    }

    static func print(_ e: EventEnvelope, json: Bool) {
        if json {
            Output.json(.object([
                "position": .number(Double(e.position)), "stream": .string(e.stream.rawValue), "version": .number(Double(e.version)),
                "id": .string(e.id.lowercased), "type": .string(e.type), "schema_version": .number(Double(e.schemaVersion)),
                "recorded_at": .string(Timestamp.format(e.recordedAt)), "account_id": .string(e.accountID.lowercased), "actor": e.actor.json,
                "reason": e.reason.map(JSONValue.string) ?? .null, "data": Display.redact(e.data),
                "request_metadata": Display.metadata(e.requestMetadata), "hash": .string(e.hash), "prev_hash": .string(e.prevHash),
            ]))
        } else {
            let who = e.actor.userID?.lowercased ?? e.actor.service ?? "-"
            Swift.print("\(e.position)\t\(Timestamp.format(e.recordedAt))\t\(e.stream.rawValue)@\(e.version)\t\(e.type)\t\(who)\t\(e.reason ?? "")")
        }
    }

    static func time(_ text: String, _ flag: String) throws -> Date {
        guard let date = Timestamp.parse(text) else { throw CLIError("\(flag) must be an ISO 8601 time such as 2026-01-27T10:00:00Z") }
        return date
    }
}

/// Presenting personal values and metadata in CLI output.
enum Display {
    static func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let o):
            if case .string? = o["pii"], let p = try? CanonicalJSON.decode(Personal.self, from: value) { return .string(p.display) }
            return .object(o.mapValues(redact))
        case .array(let a): return .array(a.map(redact))
        default: return value
        }
    }

    static func metadata(_ m: RequestMetadata) -> JSONValue {
        func p(_ v: Personal?) -> JSONValue { v.map { .string($0.display) } ?? .null }
        return .object([
            "ip_address": p(m.ipAddress), "user_agent": p(m.userAgent), "x_forwarded_for": p(m.xForwardedFor), "peer_address": p(m.peerAddress),
            "request_id": m.requestID.map(JSONValue.string) ?? .null, "trace_id": m.traceID.map(JSONValue.string) ?? .null,
        ])
    }
}
