import Foundation

/// Helpers the decide functions share.
enum DecideSupport {
    /// `reason`, trimmed of nothing, when it says something; else a `reason_required` error about `what`.
    static func required(_ reason: String?, _ what: String) throws(DomainError) -> String {
        guard let reason, !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw DomainError(.reasonRequired, "\(what) needs a reason", field: "reason")
        }
        guard reason.count <= 2000 else { throw DomainError(.invalidInput, "reason must be at most 2000 characters", field: "reason") }
        return reason
    }

    /// The payload as a draft event.
    static func draft<E: DomainEvent>(_ event: E, reason: String? = nil) throws(DomainError) -> DraftEvent {
        do { return try event.draft(reason: reason) } catch {
            throw DomainError(.invalidInput, "the event could not be encoded: \(error)")
        }
    }
}
