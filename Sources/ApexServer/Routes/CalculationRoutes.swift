import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Calculations of a project: run, revise, list, approve.
struct CalculationRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.post("projects/:id/calculations") { request, context in
            let raw = try await BodyReader.collect(request, limit: api.configuration.bodyLimit)
            let calculationID = UUID()
            let state = try await api.mutateProject(try request.uuidParameter("id", context), .calculationRun, request, context) { _ in
                let body = try BodyReader.parse(raw).only(["type", "inputs"])
                guard let type = try body.enumValue("type", CalculationType.self) else {
                    throw APIError.badRequest("'type' is required", code: "missing_field", field: "type")
                }
                return .runCalculation(calculationID: calculationID, type: type, inputs: try body.object("inputs") ?? [:])
            }
            return Self.latest(state, calculationID, status: .created)
        }
        router.put("projects/:id/calculations/:cid") { request, context in
            let raw = try await BodyReader.collect(request, limit: api.configuration.bodyLimit)
            let calculationID = try request.uuidParameter("cid", context)
            let state = try await api.mutateProject(try request.uuidParameter("id", context), .calculationRun, request, context) { _ in
                let body = try BodyReader.parse(raw).only(["inputs"])
                guard let inputs = try body.object("inputs") else { throw APIError.badRequest("'inputs' is required", code: "missing_field", field: "inputs") }
                return .reviseCalculation(calculationID: calculationID, inputs: inputs)
            }
            return Self.latest(state, calculationID, status: .ok)
        }
        router.get("projects/:id/calculations") { request, context in
            let project = try await api.authorizedProject(try request.uuidParameter("id", context), .calculationView, context)
            // An approval's time is its event's: the stream is read only when some approval is shown.
            let approved = project.state.calculations.values.contains { $0.latestApproval != nil }
            let events = approved ? try await api.projectEvents(project.id) : []
            let items = project.state.calculations.valuesInIDOrder.map { record -> JSONValue in
                var o = Present.calculation(record.id, revision: record.latestRevision, result: record.latest)
                o["approval"] = record.latestApproval.map { Present.approval($0, at: Self.approvalTime(events, $0)) } ?? .null
                return .object(o)
            }
            return Response.json(["items": .array(items)])
        }
        router.post("projects/:id/calculations/:cid/approve") { request, context in
            let me = try context.requireIdentity()
            let raw = try await BodyReader.collect(request, limit: api.configuration.bodyLimit)
            let calculationID = try request.uuidParameter("cid", context)
            let id = try request.uuidParameter("id", context)
            var revision = 0
            let state = try await api.mutateProject(id, .calculationApprove, request, context) { _ in
                let body = try BodyReader.parse(raw).only(["revision", "reason"])
                revision = try body.requiredInt("revision")
                return .approveCalculation(
                    calculationID: calculationID, revision: revision, approver: me.principal.userID, license: me.principal.peLicense,
                    reason: try body.string("reason"))
            }
            let approval = state.calculations[calculationID]!.approvals[revision]!
            return Response.json(Present.approval(approval, at: state.updatedAt), status: .created)
        }
    }

    static func latest(_ state: ProjectState, _ id: UUID, status: HTTPResponse.Status) -> Response {
        let record = state.calculations[id]!
        return Response.json(.object(Present.calculation(id, revision: record.latestRevision, result: record.latest)), status: status,
                             headers: [.eTag: "\"\(state.version)\""])
    }

    static func approvalTime(_ events: [EventEnvelope], _ approval: CalculationApproved) -> Date? {
        events.last { e in
            e.type == CalculationApproved.type && e.data["calculation_id"]?.stringValue.flatMap(UUID.init(uuidString:)) == approval.calculationID
                && e.data["revision"] == .number(Double(approval.revision))
        }?.recordedAt
    }
}
