import ApexDomain
import ApexStore
import Foundation

/// A long, real project stream: a creation, then edits, status changes, calculation runs and
/// revisions, each decided by ``ProjectDecider`` on the state so far, with the request metadata
/// the HTTP API records.
enum ProjectStream {
    /// Appends `count` events to a new project stream (in appends of up to 100) and returns it:
    /// the project `project` of `account`, edited by `user` (each drawn from `seed` when nil).
    static func write(
        _ store: any EventStore, count: Int, seed: UInt64, account: UUID? = nil, user: UUID? = nil, project: UUID? = nil
    ) async throws -> StreamID {
        var rng = SeededGenerator(seed: seed, scenario: "project-stream", worker: 0)
        let drawn = (account: rng.uuid(), user: rng.uuid(), project: rng.uuid())
        let account = account ?? drawn.account, user = user ?? drawn.user, projectID = project ?? drawn.project
        let stream = StreamID.project(projectID)
        let context = DecisionContext(now: Date())
        var state = ProjectState()
        var pending: [ProposedEvent] = []
        var calculations: [UUID] = []
        var step = 0
        while state.version < Int64(count) {
            step += 1
            let command = nextCommand(step: step, projectID: projectID, state: state, calculations: &calculations, rng: &rng)
            for draft in try ProjectDecider.decide(command, state: state, context: context) {
                let metadata = RequestMetadata(
                    ipAddress: "198.51.100.\(step % 200 + 10)", userAgent: "Mozilla/5.0 (X11; Linux x86_64) apex-bench",
                    peerAddress: "198.51.100.\(step % 200 + 10)", requestID: "req-\(step)")
                let event = draft.proposed(id: rng.uuid(), accountID: account, actor: .user(user), requestMetadata: metadata)
                try state.apply(EventEnvelope(
                    position: 0, stream: stream, version: state.version + 1, id: event.id, type: event.type, schemaVersion: event.schemaVersion,
                    data: event.data, accountID: account, actor: event.actor, requestMetadata: metadata, reason: event.reason,
                    recordedAt: Date(), prevHash: "", hash: ""))
                pending.append(event)
            }
            if pending.count >= 100 || state.version >= Int64(count) {
                let before = state.version - Int64(pending.count)
                _ = try await store.append(pending, to: stream, expected: before == 0 ? .noStream : .exact(before))
                pending = []
            }
        }
        return stream
    }

    private static func nextCommand(
        step: Int, projectID: UUID, state: ProjectState, calculations: inout [UUID], rng: inout SeededGenerator
    ) -> ProjectCommand {
        if !state.exists {
            return .create(projectID: projectID, fields: ProjectFields(
                name: "Main St pylon sign", description: rng.text(120), tags: ["pylon", "illuminated"],
                site: Site(address: "100 Main St", city: "Austin", state: "TX", country: "US")))
        }
        let wind: [String: JSONValue] = ["V": .number(Double(100 + step % 80)), "exposure": "C", "z": .number(Double(15 + step % 30))]
        if step % 50 == 0 {
            if calculations.isEmpty || step % 150 == 0 {
                let id = rng.uuid()
                calculations.append(id)
                return .runCalculation(calculationID: id, type: .windVelocityPressure, inputs: wind)
            }
            return .reviseCalculation(calculationID: calculations[Int(rng.next() % UInt64(calculations.count))], inputs: wind)
        }
        if step % 97 == 0 {
            switch state.status {
            case .draft, .submitted: return .changeStatus(to: .estimating, reason: "bench step \(step)")
            default: return .changeStatus(to: .submitted, reason: nil)
            }
        }
        var changes: [String: JSONValue] = ["description": .string(rng.text(80 + Int(rng.next() % 80)))]
        if step % 7 == 0 { changes["tags"] = .array(["pylon", .string("rev-\(step % 13)")]) }
        if step % 11 == 0 { changes["name"] = .string("Main St pylon sign, option \(step % 5)") }
        return .update(changes: changes)
    }
}
