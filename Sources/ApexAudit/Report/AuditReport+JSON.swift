package import ApexDomain
import ApexStore
import Foundation

extension AuditReport {
    /// The complete report as JSON (`apex-audit-report/1`).
    package var json: JSONValue {
        [
            "format": "apex-audit-report/1",
            "generated_at": .string(Timestamp.format(generatedAt)),
            "engine_version": .string(engineVersion),
            "store": .string(storeDescription),
            "project": projectJSON,
            "verification": verificationJSON,
            "timeline": .array(rows.map(\.json)),
            "approvals": .array(approvals.map(\.json)),
            "calculations": .array(calculations.map(Self.calculationJSON)),
        ]
    }

    package var projectJSON: JSONValue {
        var o = state.fields.json.objectValue ?? [:]
        o["id"] = .string(projectID.lowercased)
        o["stream"] = .string(stream.rawValue)
        o["account_id"] = state.accountID.map { .string($0.lowercased) } ?? .null
        o["account_name"] = accountName.map(JSONValue.string) ?? .null
        o["status"] = .string(state.status.rawValue)
        o["deleted"] = .bool(state.deleted)
        o["version"] = .number(Double(state.version))
        o["created_at"] = state.createdAt.map { .string(Timestamp.format($0)) } ?? .null
        o["created_by"] = state.createdBy.map { .string($0.lowercased) } ?? .null
        o["updated_at"] = state.updatedAt.map { .string(Timestamp.format($0)) } ?? .null
        o["updated_by"] = state.updatedBy.map { .string($0.lowercased) } ?? .null
        return .object(o)
    }

    package var verificationJSON: JSONValue {
        [
            "ok": .bool(verification.ok), "verdict": .string(verdict),
            "events_checked": .number(Double(verification.eventsChecked)),
            "streams_checked": .number(Double(verification.streamsChecked)),
            "checkpoints_checked": .number(Double(verification.checkpointsChecked)),
            "first_failure": verification.firstFailure.map { (try? CanonicalJSON.value(of: $0)) ?? .string(Self.describe($0)) } ?? .null,
        ]
    }

    package static func calculationJSON(_ record: CalculationRecord) -> JSONValue {
        let revisions: [JSONValue] = record.revisions.enumerated().map { index, result in
            let approval = record.approvals[index + 1]
            return [
                "revision": .number(Double(index + 1)), "type": .string(result.type.rawValue), "inputs": .object(result.inputs),
                "outputs": .object(result.outputs), "engine_version": .string(result.engineVersion),
                "result_hash": .string(result.resultHash), "result_hash_valid": .bool(result.recomputedHash() == result.resultHash),
                "approved_by": approval.map { .string($0.approvedBy.lowercased) } ?? .null,
            ]
        }
        return [
            "id": .string(record.id.lowercased), "type": .string(record.latest.type.rawValue),
            "latest_revision": .number(Double(record.latestRevision)), "revisions": .array(revisions),
        ]
    }
}

extension AuditReport.Row {
    /// The audit entry (the design brief's format) with the actor's name, the peer address, the
    /// event's id, hash and payload added.
    package var json: JSONValue {
        var o = entry.json(showPersonalData: true).objectValue ?? [:]
        var actor = o["actor"]?.objectValue ?? [:]
        actor["name"] = actorName.map(JSONValue.string) ?? .null
        if event.actor.onBehalfOf != nil { actor["on_behalf_of_name"] = onBehalfOfName.map(JSONValue.string) ?? .null }
        o["actor"] = .object(actor)
        var metadata = o["request_metadata"]?.objectValue ?? [:]
        metadata["peer_address"] = event.requestMetadata.peerAddress.map { .string($0.display) } ?? .null
        o["request_metadata"] = .object(metadata)
        o["id"] = .string(event.id.lowercased)
        o["hash"] = .string(event.hash)
        o["prev_hash"] = .string(event.prevHash)
        o["data"] = event.data
        return .object(o)
    }
}

extension AuditReport.Approval {
    package var json: JSONValue {
        [
            "calculation_id": .string(approval.calculationID.lowercased), "calculation_type": .string(calculationType),
            "revision": .number(Double(approval.revision)), "result_hash": .string(approval.resultHash),
            "result_hash_matches": .bool(resultHashMatches),
            "approved_by": ["user_id": .string(approval.approvedBy.lowercased), "name": approverName.map(JSONValue.string) ?? .null],
            "pe_license": [
                "number": .string(approval.peLicense.number), "state": .string(approval.peLicense.state),
                "expires_on": .string(approval.peLicense.expiresOn.description),
            ],
            "recorded_at": .string(Timestamp.format(recordedAt)), "reason": reason.map(JSONValue.string) ?? .null,
            "position": .number(Double(position)), "version": .number(Double(version)),
        ]
    }
}
