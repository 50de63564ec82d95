package import ApexDomain
package import Crypto
package import Foundation

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

    /// The columns of a (stored) envelope; `recordedAt`, when given, is its time as
    /// `Timestamp.format` writes it (an append formats its one time once).
    package init(_ e: EventEnvelope, recordedAt formatted: String? = nil) {
        position = e.position
        stream = e.stream.rawValue
        version = e.version
        id = e.id.lowercased
        type = e.type
        schemaVersion = e.schemaVersion
        accountID = e.accountID.lowercased
        if let stored = e.storedTexts {
            data = stored.data
            actor = stored.actor
            requestMetadata = stored.requestMetadata
        } else {
            let parts = e.parts
            data = CanonicalJSON.string(parts.data)
            actor = CanonicalJSON.string(parts.actor.json)
            requestMetadata = CanonicalJSON.string(parts.requestMetadata.json)
        }
        reason = e.reason
        recordedAt = formatted ?? Timestamp.format(e.recordedAt)
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

    /// The envelope these columns hold, decoded now. Throws ``EventStoreError/Code/integrityFailure``
    /// for a row that cannot be read back (corrupt JSON, a bad id or timestamp).
    package func envelope() throws -> EventEnvelope {
        func json(_ text: String, _ column: String) throws -> JSONValue {
            do { return try JSONValue.parse(text) } catch {
                throw EventStoreError(.integrityFailure, "event at position \(position): column \(column) is not valid JSON")
            }
        }
        let (uuid, account, time) = try scalars()
        let metadata: RequestMetadata
        do { metadata = try RequestMetadata(json: try json(requestMetadata, "request_metadata")) } catch {
            throw EventStoreError(.integrityFailure, "event at position \(position): request_metadata does not decode")
        }
        return EventEnvelope(
            position: position, stream: StreamID(rawValue: stream), version: version, id: uuid, type: type,
            schemaVersion: schemaVersion, data: try json(data, "data"), accountID: account,
            actor: Actor(json: try json(actor, "actor")), requestMetadata: metadata, reason: reason, recordedAt: time,
            prevHash: prevHash, hash: hash)
    }

    /// The envelope these columns hold, each JSON column decoded (its personal values passed
    /// through `open`) on first access. Only for rows whose JSON columns are canonical
    /// (``jsonIsCanonical``), which always parse.
    package func deferredEnvelope(open: (@Sendable (Personal) -> Personal)?) throws -> EventEnvelope {
        let (uuid, account, time) = try scalars()
        return EventEnvelope(
            position: position, stream: StreamID(rawValue: stream), version: version, id: uuid, type: type,
            schemaVersion: schemaVersion, stored: StoredParts(data: data, actor: actor, requestMetadata: requestMetadata, open: open),
            accountID: account, reason: reason, recordedAt: time, prevHash: prevHash, hash: hash)
    }

    private func scalars() throws -> (id: UUID, account: UUID, recordedAt: Date) {
        guard let uuid = UUID(text: id), let account = UUID(text: accountID), let time = Timestamp.parse(recordedAt) else {
            throw EventStoreError(.integrityFailure, "event at position \(position) has a malformed id, account or timestamp")
        }
        return (uuid, account, time)
    }

    /// The canonical body the hash covers (see `EventHash`), assembled from the stored texts
    /// without parsing them. It is the decoded envelope's canonical body when ``isCanonical``
    /// holds, which is how both SQL adapters write rows; `Verifier` decodes the rows where it
    /// does not.
    package var storedBodyBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.utf8.count + requestMetadata.utf8.count + actor.utf8.count + 320)
        func member(_ key: StaticString) {
            out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
        }
        member("account_id")
        CanonicalJSON.writeString(accountID, into: &out)
        member("actor")
        out.append(contentsOf: actor.utf8)
        member("data")
        out.append(contentsOf: data.utf8)
        member("id")
        CanonicalJSON.writeString(id, into: &out)
        member("reason")
        if let reason { CanonicalJSON.writeString(reason, into: &out) } else { out.append(contentsOf: "null".utf8) }
        member("recorded_at")
        CanonicalJSON.writeString(recordedAt, into: &out)
        member("request_metadata")
        out.append(contentsOf: requestMetadata.utf8)
        member("schema_version")
        out.append(contentsOf: CanonicalJSON.number(Double(schemaVersion)).utf8)
        member("stream")
        CanonicalJSON.writeString(stream, into: &out)
        member("type")
        CanonicalJSON.writeString(type, into: &out)
        member("version")
        out.append(contentsOf: CanonicalJSON.number(Double(version)).utf8)
        out.append(UInt8(ascii: "}"))
        return out
    }
}

extension EnvelopeColumns {
    /// Whether every stored text is in the form the envelope's canonical body writes it: the
    /// three JSON columns canonical (one value each, so no bytes can move between them), ids
    /// as lowercase UUIDs, the timestamp as `Timestamp.format` prints it. Then
    /// ``storedBodyBytes`` is the body the decoded row hashes to.
    package var isCanonical: Bool {
        UUID.isLowercasedText(id) && UUID.isLowercasedText(accountID) && Timestamp.isCanonical(recordedAt) && jsonIsCanonical
    }

    /// Whether data, actor and request metadata are each one canonical JSON value.
    package var jsonIsCanonical: Bool {
        CanonicalJSON.isCanonical(data) && CanonicalJSON.isCanonical(actor) && CanonicalJSON.isCanonical(requestMetadata)
    }

    /// ``jsonIsCanonical``, adding the subjects of the personal values in data and request
    /// metadata to `subjects` in the same pass.
    package func jsonIsCanonical(collectingSubjects subjects: inout PersonalSubjects) -> Bool {
        CanonicalJSON.isCanonical(data, personalSubjects: &subjects) && CanonicalJSON.isCanonical(actor)
            && CanonicalJSON.isCanonical(requestMetadata, personalSubjects: &subjects)
    }

    /// Whether the row's texts are canonical and hash, as stored, to its `hash`: then the row
    /// is what was appended, without decoding it.
    package var hashesAsStored: Bool {
        isCanonical && EventHash.matches(body: storedBodyBytes, prevHash: prevHash, hash: hash)
    }
}

/// A store that can hand out rows exactly as stored, before any decoding: what `verify` and
/// checkpoint sealing read, since they hash the stored bytes and need nothing else.
package protocol StoredRowReader: EventStore {
    /// The stored rows after `position`, in position order, at most `limit`.
    func readRows(after position: Int64, limit: Int) async throws -> [EnvelopeColumns]
    /// One account's stored rows after `position`, in position order, at most `limit`.
    func readAccountRows(_ account: UUID, after position: Int64, limit: Int) async throws -> [EnvelopeColumns]
    /// The keys these subjects have (none are created).
    func existingKeys(_ subjects: Set<String>) async throws -> [String: SymmetricKey]
    /// The hashes of the events after `position`, in position order, at most `limit`: the Merkle
    /// tree's leaves, read without the rest of each row.
    func readHashes(after position: Int64, limit: Int) async throws -> [PositionedHash]
}

/// An event's global position and stored hash.
package struct PositionedHash: Sendable, Hashable {
    /// The global position.
    package var position: Int64
    /// The stored hash (hex).
    package var hash: String

    /// A position and its hash.
    package init(position: Int64, hash: String) {
        self.position = position
        self.hash = hash
    }
}

extension StoredRowReader {
    /// The envelopes of rows read as stored, opened when `mode` is ``ReadMode/opened``.
    func envelopes(_ rows: [EnvelopeColumns], mode: ReadMode) async throws -> [EventEnvelope] {
        try await PageDecoding.envelopes(rows, mode: mode, keys: existingKeys)
    }

    /// The envelopes with their personal values opened.
    func opened(_ events: [EventEnvelope]) async throws -> [EventEnvelope] {
        try await PageDecoding.open(events, keys: existingKeys)
    }
}

extension EventStore {
    /// A page of stored rows: read directly where the store keeps columns, otherwise the
    /// columns of the stored envelopes.
    func storedRows(after position: Int64, limit: Int) async throws -> [EnvelopeColumns] {
        if let reader = self as? any StoredRowReader { return try await reader.readRows(after: position, limit: limit) }
        return try await readAll(after: position, limit: limit, mode: .stored).map { EnvelopeColumns($0) }
    }

    /// A page of stored hashes: read alone where the store keeps columns.
    func storedHashes(after position: Int64, limit: Int) async throws -> [PositionedHash] {
        if let reader = self as? any StoredRowReader { return try await reader.readHashes(after: position, limit: limit) }
        return try await readAll(after: position, limit: limit, mode: .stored).map { PositionedHash(position: $0.position, hash: $0.hash) }
    }

    /// A page of one account's stored rows, read like ``storedRows(after:limit:)``.
    func storedRows(account: UUID, after position: Int64, limit: Int) async throws -> [EnvelopeColumns] {
        if let reader = self as? any StoredRowReader { return try await reader.readAccountRows(account, after: position, limit: limit) }
        return try await readAccount(account, after: position, limit: limit, mode: .stored).map { EnvelopeColumns($0) }
    }
}
