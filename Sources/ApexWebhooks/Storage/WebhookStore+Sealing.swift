import ApexStore
import ApexDomain
package import Foundation

extension WebhookStore {
    /// `secret` sealed for `endpoint`; throws without a ``WebhookSecretBox`` (never stored in plaintext).
    func seal(_ secret: WebhookSecret, endpoint: UUID) throws -> String {
        guard let box else { throw WebhooksError(.unavailable, "this webhook store has no key to seal signing secrets with") }
        return try box.seal(secret, endpoint: endpoint)
    }

    /// Seals every secret still stored in plaintext (`whsec_…`, as versions before sealing wrote
    /// them). Each column is replaced only if it still holds the value read, so a rotation at
    /// the same moment is never undone. Returns how many values it sealed.
    @discardableResult
    func sealPlaintextSecrets() async throws -> Int {
        guard let box else { return 0 }
        let rows = try await sql.run(
            "SELECT endpoint_id, secret, previous_secret FROM webhook_endpoints WHERE secret LIKE 'whsec_%' OR previous_secret LIKE 'whsec_%'",
            write: false)
        var sealed = 0
        for row in rows {
            guard let id = row["endpoint_id"]?.text, let endpoint = UUID(uuidString: id) else { continue }
            for column in ["secret", "previous_secret"] {
                guard let text = row[column]?.text, text.hasPrefix("whsec_"), let secret = try? WebhookSecret(parsing: text) else { continue }
                try await sql.run(
                    "UPDATE webhook_endpoints SET \(column) = ? WHERE endpoint_id = ? AND \(column) = ?",
                    [.text(try box.seal(secret, endpoint: endpoint)), .text(id), .text(text)])
                sealed += 1
            }
        }
        return sealed
    }

    /// The endpoint's row as stored, every text column: what a dump of the database shows.
    package func storedColumns(_ endpoint: UUID) async throws -> [String: String] {
        guard let row = try await endpointRow(endpoint) else { return [:] }
        return row.compactMapValues(\.text)
    }

    /// Overwrites the endpoint's current secret column with `stored` as it is (plaintext, as a
    /// version before sealing wrote it, or sealed under another key): for tests.
    package func overwriteStoredSecret(_ stored: String, endpoint: UUID) async throws {
        try await sql.run("UPDATE webhook_endpoints SET secret = ? WHERE endpoint_id = ?", [.text(stored), .text(endpoint.lowercased)])
    }
}
