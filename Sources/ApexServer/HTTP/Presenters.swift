import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// JSON shapes the API answers with (snake_case, canonical key order).
enum Present {
    static func uuid(_ id: UUID?) -> JSONValue { id.map { .string($0.lowercased) } ?? .null }
    static func date(_ d: Date?) -> JSONValue { d.map { .string(Timestamp.format($0)) } ?? .null }

    static func project(_ s: ProjectState) -> JSONValue {
        var o = s.fields.json.objectValue ?? [:]
        o["id"] = uuid(s.id)
        o["account_id"] = uuid(s.accountID)
        o["status"] = .string(s.status.rawValue)
        o["version"] = .number(Double(s.version))
        o["created_at"] = date(s.createdAt)
        o["created_by"] = uuid(s.createdBy)
        o["updated_at"] = date(s.updatedAt)
        o["updated_by"] = uuid(s.updatedBy)
        o["deleted"] = .bool(s.deleted)
        return .object(o)
    }

    static func license(_ l: PELicense?) -> JSONValue {
        guard let l else { return .null }
        var o: [String: JSONValue] = ["number": .string(l.number), "state": .string(l.state), "expires_on": .string(l.expiresOn.description)]
        if let by = l.confirmedBy { o["confirmed_by"] = .string(by.lowercased) }
        return .object(o)
    }

    /// A string, or null.
    static func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }

    static func user(_ u: AccountUser) -> JSONValue {
        [
            "user_id": .string(u.id.lowercased), "name": text(u.shownName), "email": text(u.shownEmail), "role": .string(u.role.rawValue), "pe_license": license(u.peLicense),
            "pe_license_pending": license(u.pendingPELicense), "removed": .bool(u.removed), "erased": .bool(u.erased),
        ]
    }

    static func approval(_ a: CalculationApproved, at: Date?) -> JSONValue {
        [
            "by": .string(a.approvedBy.lowercased), "at": date(at), "pe_license": license(a.peLicense),
            "result_hash": .string(a.resultHash), "revision": .number(Double(a.revision)),
        ]
    }

    static func calculation(_ id: UUID, revision: Int, result: CalculationResult) -> [String: JSONValue] {
        [
            "calculation_id": .string(id.lowercased), "revision": .number(Double(revision)), "type": .string(result.type.rawValue),
            "inputs": .object(result.inputs), "outputs": .object(result.outputs), "engine_version": .string(result.engineVersion),
            "result_hash": .string(result.resultHash),
        ]
    }

    /// An audit entry, its acting user named as the account recorded them (name and email, or
    /// `[erased]`) when `users` is given: for viewers who may see personal data.
    static func entry(_ entry: AuditEntry, users: [UUID: AccountUser]?) -> JSONValue {
        var o = entry.json(showPersonalData: users != nil).objectValue ?? [:]
        if let users, let id = entry.event.actor.userID, var actor = o["actor"]?.objectValue {
            actor["name"] = text(users[id]?.shownName)
            actor["email"] = text(users[id]?.shownEmail)
            o["actor"] = .object(actor)
        }
        return .object(o)
    }

    /// A stored event as the account trail shows it: to an owner or admin (`users` given) with
    /// actors named and personal values shown; to others (nil, as on a live stream) with
    /// personal values null, as in the project's audit trail.
    static func event(_ e: EventEnvelope, users: [UUID: AccountUser]?) -> JSONValue {
        var o = entry(AuditEntry(event: e, before: .object([:]), after: .object([:])), users: users).objectValue ?? [:]
        o["before"] = nil
        o["after"] = nil
        o["diff"] = nil
        o["stream"] = .string(e.stream.rawValue)
        o["id"] = .string(e.id.lowercased)
        o["data"] = redact(e.data, showPersonalData: users != nil)
        return .object(o)
    }

    /// Personal values inside event data, shown as their display text, or as null when
    /// `showPersonalData` is false.
    static func redact(_ value: JSONValue, showPersonalData: Bool = true) -> JSONValue {
        switch value {
        case .object(let o):
            if case .string(let subject)? = o["pii"], let p = try? CanonicalJSON.decode(Personal.self, from: value), p.subject == subject {
                return showPersonalData ? .string(p.display) : .null
            }
            return .object(o.mapValues { redact($0, showPersonalData: showPersonalData) })
        case .array(let a): return .array(a.map { redact($0, showPersonalData: showPersonalData) })
        default: return value
        }
    }
}

extension Response {
    /// A JSON response.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.bytes(value))))
    }
}

extension Request {
    /// A path parameter as a UUID, or 404 (a malformed id names nothing).
    func uuidParameter(_ name: String, _ context: ApexRequestContext) throws -> UUID {
        guard let text = context.parameters.get(name), let id = UUID(uuidString: text) else { throw APIError.notFound }
        return id
    }

    /// A query parameter.
    func query(_ name: String) -> String? { uri.queryParameters.get(name) }
}
