import ApexDomain
import ApexStore
import Foundation

extension WebhookStore {
    /// A success closes the endpoint's breaker.
    func breakerSucceeded(_ endpoint: UUID) async throws {
        try await sql.run(
            "UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL, paused_until = NULL WHERE endpoint_id = ?",
            [.text(endpoint.lowercased)])
    }

    /// A failure counts against the endpoint's breaker: after `policy.threshold` failures in a
    /// row deliveries pause until a probe is due. Returns when it started failing.
    func breakerFailed(_ endpoint: UUID, now: Date, policy: CircuitBreaker) async throws -> (failures: Int, since: Date) {
        let row = try await sql.run(
            """
            UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1, failing_since = COALESCE(failing_since, ?)
            WHERE endpoint_id = ? RETURNING consecutive_failures, failing_since
            """, [.int(now.millis), .text(endpoint.lowercased)]).first
        let failures = Int(row?["consecutive_failures"]?.int ?? 1)
        let since = Date(millis: row?["failing_since"]?.int ?? now.millis)
        if let pause = policy.pause(afterFailures: failures) {
            try await sql.run(
                "UPDATE webhook_endpoints SET paused_until = ? WHERE endpoint_id = ?",
                [.int(now.addingTimeInterval(pause.timeInterval).millis), .text(endpoint.lowercased)])
        }
        return (failures, since)
    }

    /// Stops deliveries to `endpoint` at once (its `webhook.disabled` event follows).
    func disable(_ endpoint: UUID) async throws {
        try await sql.run("UPDATE webhook_endpoints SET enabled = 0 WHERE endpoint_id = ?", [.text(endpoint.lowercased)])
    }
}

extension Duration {
    /// In seconds.
    var timeInterval: TimeInterval {
        let (s, a) = components
        return Double(s) + Double(a) / 1e18
    }
}
