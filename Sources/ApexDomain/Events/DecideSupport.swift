import Foundation

/// Helpers the decide functions share.
enum DecideSupport {
    /// The longest reason, required or optional.
    static let reasonLimit = 2000

    /// `reason`, trimmed of nothing, when it says something; else a `reason_required` error about `what`.
    static func required(_ reason: String?, _ what: String) throws(DomainError) -> String {
        guard let reason, !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw DomainError(.reasonRequired, "\(what) needs a reason", field: "reason")
        }
        return try checked(reason)
    }

    /// An optional reason, held to the same rules as a required one (length, no control characters).
    static func optional(_ reason: String?) throws(DomainError) -> String? {
        guard let reason else { return nil }
        return try checked(reason)
    }

    private static func checked(_ reason: String) throws(DomainError) -> String {
        guard reason.count <= reasonLimit else {
            throw DomainError(.invalidInput, "reason must be at most \(reasonLimit) characters", field: "reason")
        }
        try TextRules.check(reason, field: "reason", multiline: true)
        return reason
    }

    /// The payload as a draft event.
    static func draft<E: DomainEvent>(_ event: E, reason: String? = nil) throws(DomainError) -> DraftEvent {
        do { return try event.draft(reason: reason) } catch {
            throw DomainError(.invalidInput, "the event could not be encoded: \(error)")
        }
    }
}
