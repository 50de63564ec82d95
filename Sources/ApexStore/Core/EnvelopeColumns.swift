package import ApexDomain
import Foundation

/// An envelope as database columns: JSON text for data, actor and request metadata, and the
/// canonical timestamp. Both SQL adapters store exactly these texts, so a row can be hashed
/// again byte for byte.
package struct EnvelopeColumns: Sendable {
    package var position: Int64
    package var stream: String
    package var version: Int64
    package var id: String
    package var type: String
    package var schemaVersion: Int
    package var data: String
    package var accountID: String
    package var actor: String
    package var requestMetadata: String
    package var reason: String?
    package var recordedAt: String
    package var prevHash: String
    package var hash: String

    /// The columns of a (stored) envelope.
    package init(_ e: EventEnvelope) {
        position = e.position
        stream = e.stream.rawValue
        version = e.version
        id = e.id.lowercased
        type = e.type
        schemaVersion = e.schemaVersion
        data = CanonicalJSON.string(e.data)
        accountID = e.accountID.lowercased
        actor = CanonicalJSON.string(e.actor.json)
        requestMetadata = CanonicalJSON.string(e.requestMetadata.json)
        reason = e.reason
        recordedAt = Timestamp.format(e.recordedAt)
        prevHash = e.prevHash
        hash = e.hash
    }

    /// Columns read from a row.
    package init(
        position: Int64, stream: String, version: Int64, id: String, type: String, schemaVersion: Int, data: String,
        accountID: String, actor: String, requestMetadata: String, reason: String?, recordedAt: String, prevHash: String,
        hash: String
    ) {
        self.position = position
        self.stream = stream
        self.version = version
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.accountID = accountID
        self.actor = actor
        self.requestMetadata = requestMetadata
        self.reason = reason
        self.recordedAt = recordedAt
        self.prevHash = prevHash
        self.hash = hash
    }

    /// The envelope these columns hold. Throws ``EventStoreError/Code/integrityFailure`` for a
    /// row that cannot be read back (corrupt JSON, a bad id or timestamp).
    package func envelope() throws -> EventEnvelope {
        func json(_ text: String, _ column: String) throws -> JSONValue {
            do { return try JSONValue.parse(text) } catch {
                throw EventStoreError(.integrityFailure, "event at position \(position): column \(column) is not valid JSON")
            }
        }
        guard let uuid = UUID(text: id), let account = UUID(text: accountID), let time = Timestamp.parse(recordedAt) else {
            throw EventStoreError(.integrityFailure, "event at position \(position) has a malformed id, account or timestamp")
        }
        let actorJSON = try json(actor, "actor")
        let metadata: RequestMetadata
        do { metadata = try RequestMetadata(json: try json(requestMetadata, "request_metadata")) } catch {
            throw EventStoreError(.integrityFailure, "event at position \(position): request_metadata does not decode")
        }
        return EventEnvelope(
            position: position, stream: StreamID(rawValue: stream), version: version, id: uuid, type: type,
            schemaVersion: schemaVersion, data: try json(data, "data"), accountID: account,
            actor: Actor(
                userID: actorJSON["user_id"]?.stringValue.flatMap(UUID.init(text:)),
                onBehalfOf: actorJSON["on_behalf_of"]?.stringValue.flatMap(UUID.init(text:)),
                service: actorJSON["service"]?.stringValue),
            requestMetadata: metadata, reason: reason, recordedAt: time, prevHash: prevHash, hash: hash)
    }
}
