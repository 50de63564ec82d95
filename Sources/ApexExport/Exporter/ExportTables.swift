import ApexDomain
import Foundation

/// The tables of an export and how each row is made: from a project summary, a calculation
/// revision, or an audit entry as the API presented it (so the redaction is the API's).
enum ExportTables {
    static let projects = ExportTable(name: "Projects", columns: [
        "id", "name", "description", "status", "client_id", "tags", "site_address", "site_city", "site_state", "site_country",
        "version", "created_at", "created_by", "updated_at", "updated_by", "deleted",
    ])

    static let calculations = ExportTable(name: "Calculations", columns: [
        "calculation_id", "revision", "latest", "type", "engine_version", "result_hash", "approved_by", "approved_at",
        "pe_license_number", "pe_license_state", "inputs", "outputs",
    ])

    static let audit = ExportTable(name: "Audit", columns: [
        "position", "version", "type", "recorded_at", "actor_user_id", "actor_name", "actor_email", "reason", "ip_address", "user_agent",
        "x_forwarded_for", "request_id", "trace_id", "changed", "diff", "before", "after",
    ])

    static func table(_ kind: ExportKind) -> ExportTable {
        switch kind {
        case .projects: projects
        case .calculations: calculations
        case .audit: audit
        }
    }

    static func projectRow(_ s: ProjectState) -> [ExportCell] {
        let f = s.fields
        return [
            .text(s.id?.lowercased), .text(f.name), .text(f.description), .text(s.status.rawValue), .text(f.clientID?.lowercased),
            .text(f.tags.joined(separator: ", ")), .text(f.site?.address), .text(f.site?.city), .text(f.site?.state), .text(f.site?.country),
            .number(Double(s.version)), .date(s.createdAt), .text(s.createdBy?.lowercased), .date(s.updatedAt), .text(s.updatedBy?.lowercased),
            .text(s.deleted ? "true" : "false"),
        ]
    }

    static func calculationRow(_ record: CalculationRecord, revision: Int, approvedAt: Date?) -> [ExportCell] {
        let result = record.revisions[revision - 1]
        let approval = record.approvals[revision]
        return [
            .text(record.id.lowercased), .number(Double(revision)), .text(revision == record.latestRevision ? "true" : "false"),
            .text(result.type.rawValue), .text(result.engineVersion), .text(result.resultHash), .text(approval?.approvedBy.lowercased),
            approval == nil ? .empty : .date(approvedAt), .text(approval?.peLicense.number), .text(approval?.peLicense.state),
            .text(CanonicalJSON.string(.object(result.inputs))), .text(CanonicalJSON.string(.object(result.outputs))),
        ]
    }

    /// A row from an entry as presented: what the API hides (personal data for some viewers) is hidden here too.
    static func auditRow(_ shown: JSONValue) -> [ExportCell] {
        func text(_ value: JSONValue?) -> ExportCell {
            switch value {
            case .string(let s)?: .text(s)
            case nil, .null?: .empty
            case let other?: .text(CanonicalJSON.string(other))
            }
        }
        func number(_ value: JSONValue?) -> ExportCell {
            if case .number(let n)? = value { return .number(n) }
            return .empty
        }
        let actor = shown["actor"], metadata = shown["request_metadata"], diff = shown["diff"]
        let changed = ["added", "changed", "removed"].flatMap { diff?[$0]?.objectValue?.keys.sorted() ?? [] }
        return [
            number(shown["position"]), number(shown["version"]), text(shown["type"]),
            .date(shown["recorded_at"]?.stringValue.flatMap(Timestamp.parse)), text(actor?["user_id"]), text(actor?["name"]),
            text(actor?["email"]), text(shown["reason"]), text(metadata?["ip_address"]), text(metadata?["user_agent"]),
            text(metadata?["x_forwarded_for"]), text(metadata?["request_id"]), text(metadata?["trace_id"]),
            .text(changed.joined(separator: ", ")), text(diff), text(shown["before"]), text(shown["after"]),
        ]
    }
}
