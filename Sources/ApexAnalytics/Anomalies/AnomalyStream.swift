public import ApexDomain
public import Foundation

extension StreamID {
    /// `anomalies-ACCOUNT`: the stream of an account's `audit.anomaly_flagged` events. Not the
    /// account's own stream: a flag is appended whenever the consumer raises one, and on the
    /// account's stream it would make a concurrent account change (an invitation, a role)
    /// expecting that stream's version fail with a conflict. Its events are the account's
    /// (`accountID`), so the audit trail, exports and webhooks carry them.
    public static func anomalies(_ account: UUID) -> StreamID { StreamID(rawValue: "anomalies-" + account.lowercased) }
}
