package import ApexDomain
package import Crypto
package import Foundation

/// The part of an append that every adapter shares: validation, envelopes, sealing, hashing.
///
/// An adapter opens a transaction, reads the stream head and the store head under its write
/// lock, builds ``envelopes(_:stream:head:firstPosition:recordedAt:)``, fetches or creates the keys
/// ``subjects(of:)`` names, and inserts what ``seal(_:head:keys:)`` returns.
package enum AppendPlanner {
    /// The largest `data` an event may carry, as canonical JSON.
    package static let maximumDataBytes = 1 << 20

    /// Throws ``EventStoreError/Code/invalidEvent`` for an empty batch, a malformed event, or a
    /// stream id or event type with a NUL in it: those are names the stores index and compare
    /// as SQL text, which cannot hold a NUL (PostgreSQL refuses one; SQLite's C API would end
    /// the text there). Every other text, a NUL included, is stored exactly as it is hashed.
    package static func validate(_ events: [ProposedEvent], to stream: StreamID) throws {
        guard !events.isEmpty else { throw EventStoreError(.invalidEvent, "an append needs at least one event") }
        guard !stream.rawValue.utf8.contains(0) else {
            throw EventStoreError(.invalidEvent, "a stream id must not contain a NUL character")
        }
        guard Set(events.map(\.id)).count == events.count else {
            throw EventStoreError(.invalidEvent, "the batch names the same event id twice")
        }
        for event in events {
            guard !event.type.isEmpty, event.type.count <= 100, !event.type.utf8.contains(0) else {
                throw EventStoreError(.invalidEvent, "event type must be 1-100 characters, none of them NUL")
            }
            guard (0...Int(Int32.max)).contains(event.schemaVersion) else {
                throw EventStoreError(.invalidEvent, "schema version must be between 0 and \(Int32.max)")
            }
            guard case .object = event.data else { throw EventStoreError(.invalidEvent, "event data must be a JSON object") }
            guard CanonicalJSON.bytes(event.data).count <= maximumDataBytes else {
                throw EventStoreError(.invalidEvent, "event data is larger than 1 MiB")
            }
        }
    }

    /// Envelopes for `events` before sealing: versions, positions and time assigned, subjects resolved.
    package static func envelopes(
        _ events: [ProposedEvent], stream: StreamID, head: StreamHead?, firstPosition: Int64, recordedAt: Date
    ) -> [EventEnvelope] {
        let time = Timestamp.truncated(recordedAt)
        let baseVersion = head?.version ?? 0
        var metadataSubjects: [MetadataOwner: String] = [:]
        return events.enumerated().map { i, e in
            let owner = MetadataOwner(account: e.accountID, user: e.actor.userID)
            let subject = metadataSubjects[owner] ?? Sealer.metadataSubject(account: e.accountID, at: time, user: owner.user)
            metadataSubjects[owner] = subject
            return Sealer.resolvingSubjects(
                EventEnvelope(
                    position: firstPosition + Int64(i), stream: stream, version: baseVersion + Int64(i) + 1, id: e.id,
                    type: e.type, schemaVersion: e.schemaVersion, data: e.data, accountID: e.accountID, actor: e.actor,
                    requestMetadata: e.requestMetadata, reason: e.reason, recordedAt: time, prevHash: "", hash: ""),
                to: subject)
        }
    }

    /// Every subject the envelopes need a key for.
    package static func subjects(of envelopes: [EventEnvelope]) -> Set<String> {
        envelopes.reduce(into: Set<String>()) { $0.formUnion(Sealer.subjects(of: $1)) }
    }

    /// Seals and chains the envelopes: `stored` is what goes into the database, `rows` the same
    /// as columns (each JSON text encoded once, for the hash and the insert), `opened` what the
    /// caller gets back (same hashes, plaintext personal values).
    ///
    /// Sealing an envelope, writing its columns and its hashed body is most of an append's work
    /// and needs no other envelope, so a batch does it on the machine's cores at once; then the
    /// hashes are chained in order.
    package static func seal(
        _ envelopes: [EventEnvelope], head: StreamHead?, keys: [String: SymmetricKey]
    ) throws -> (stored: [EventEnvelope], opened: [EventEnvelope], rows: [EnvelopeColumns]) {
        let time = envelopes.first.map { (date: $0.recordedAt, text: Timestamp.format($0.recordedAt)) }
        let sealed = try envelopes.parallelMap { envelope in
            let stored = try Sealer.seal(envelope, keys: keys)
            let row = EnvelopeColumns(stored, recordedAt: envelope.recordedAt == time?.date ? time?.text : nil)
            return (stored: stored, row: row, body: row.storedBodyBytes)
        }
        var prev = head?.hash ?? EventHash.genesis
        var stored: [EventEnvelope] = []
        var opened: [EventEnvelope] = []
        var rows: [EnvelopeColumns] = []
        for (envelope, one) in zip(envelopes, sealed) {
            var (s, row) = (one.stored, one.row)
            let hash = EventHash.compute(body: one.body, prevHash: prev)
            (s.prevHash, s.hash, row.prevHash, row.hash) = (prev, hash, prev, hash)
            var o = envelope
            (o.prevHash, o.hash) = (prev, hash)
            prev = hash
            stored.append(s)
            opened.append(o)
            rows.append(row)
        }
        return (stored, opened, rows)
    }

    /// Plans one transaction for several appends, in order, on top of the store head `position`
    /// and the stream `heads` read under the write lock: each request is checked against the
    /// heads as the requests before it leave them, so a conflict or a duplicate fails or answers
    /// only its own request. `existing` holds the stored events that carry any of the requests'
    /// ids; `keys` every key ``subjects(of:recordedAt:)`` names.
    package static func plan(
        _ requests: [AppendRequest], after position: Int64, recordedAt: Date, heads: [StreamID: StreamHead],
        existing: [EventEnvelope], keys: [String: SymmetricKey]
    ) -> AppendBatchPlan {
        var plan = AppendBatchPlan(lastPosition: position)
        var heads = heads
        var known = Dictionary(existing.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for request in requests {
            do {
                let head = heads[request.stream]
                let found = request.events.compactMap { known[$0.id] }
                if let dup = try duplicateResult(request.events, existing: found, stream: request.stream, streamVersion: head?.version ?? 0) {
                    plan.outcomes.append(.success(dup))
                    continue
                }
                guard request.expected.isSatisfied(by: head?.version ?? 0) else {
                    throw EventStoreError.conflict(request.stream, expected: request.expected, actual: head?.version ?? 0)
                }
                let drafts = envelopes(request.events, stream: request.stream, head: head, firstPosition: plan.lastPosition + 1, recordedAt: recordedAt)
                let (stored, opened, rows) = try seal(drafts, head: head, keys: keys)
                let tail = stored.last!
                heads[request.stream] = StreamHead(version: tail.version, hash: tail.hash)
                plan.heads[request.stream] = heads[request.stream]
                for event in stored { known[event.id] = event }
                plan.stored += stored
                plan.rows += rows
                plan.lastPosition = tail.position
                plan.outcomes.append(.success(AppendResult(stream: request.stream, events: opened, nextExpectedVersion: tail.version, wasDuplicate: false)))
            } catch {
                plan.outcomes.append(.failure(error))
            }
        }
        return plan
    }

    /// Every subject the requests' events need a key for when recorded at `recordedAt` — what
    /// ``subjects(of:)`` gives for their envelopes, without building them.
    package static func subjects(of requests: [AppendRequest], recordedAt: Date) -> Set<String> {
        let time = Timestamp.truncated(recordedAt)
        var metadataSubjects: [MetadataOwner: String] = [:]
        var all = Set<String>()
        for request in requests {
            for event in request.events {
                let owner = MetadataOwner(account: event.accountID, user: event.actor.userID)
                for field in event.requestMetadata.personalFields {
                    guard let personal = event.requestMetadata[keyPath: field] else { continue }
                    if personal.subject == DataSubject.requestMetadata {
                        let subject = metadataSubjects[owner] ?? Sealer.metadataSubject(account: event.accountID, at: time, user: owner.user)
                        metadataSubjects[owner] = subject
                        all.insert(subject)
                    } else {
                        all.insert(personal.subject)
                    }
                }
                var inData = Set<String>()
                Sealer.collectSubjects(of: event.data, into: &inData)
                if inData.remove(DataSubject.requestMetadata) != nil {
                    inData.insert(Sealer.metadataSubject(account: event.accountID, at: time, user: owner.user))
                }
                all.formUnion(inData)
            }
        }
        return all
    }

    /// Whether the stored events with these ids are exactly this append repeated; the first
    /// result is then returned. Throws when only some ids, or ids in another stream, exist.
    package static func duplicateResult(
        _ events: [ProposedEvent], existing: [EventEnvelope], stream: StreamID, streamVersion: Int64
    ) throws -> AppendResult? {
        guard !existing.isEmpty else { return nil }
        let ids = events.map(\.id)
        let sorted = existing.sorted { $0.position < $1.position }
        guard sorted.count == events.count, sorted.map(\.id) == ids, sorted.allSatisfy({ $0.stream == stream }) else {
            throw EventStoreError(.duplicateEventID, "event id \(existing[0].id.lowercased) was appended before in another append")
        }
        return AppendResult(stream: stream, events: sorted, nextExpectedVersion: streamVersion, wasDuplicate: true)
    }

    /// Checks that stored events continue the log at `head` and their streams' chains (as
    /// given by `streamHead`), recomputing every hash over the texts that will be written (an
    /// envelope read as stored writes its stored texts). Returns the new stream heads.
    package static func checkImport(
        _ events: [EventEnvelope], head: Int64, streamHead: (StreamID) throws -> StreamHead?
    ) throws -> [StreamID: StreamHead] {
        var heads: [StreamID: StreamHead] = [:]
        var position = head
        for e in events {
            let current = try heads[e.stream] ?? streamHead(e.stream)
            guard e.position == position + 1, e.version == (current?.version ?? 0) + 1, e.prevHash == (current?.hash ?? EventHash.genesis),
                EventHash.matches(body: EnvelopeColumns(e).storedBodyBytes, prevHash: e.prevHash, hash: e.hash)
            else {
                throw EventStoreError(
                    .integrityFailure, "imported event at position \(e.position) (\(e.stream) version \(e.version)) does not continue the log")
            }
            heads[e.stream] = StreamHead(version: e.version, hash: e.hash)
            position = e.position
        }
        return heads
    }
}

/// One caller's append, as ``GroupCommit`` queues it.
package struct AppendRequest: Sendable {
    /// The events, validated (``AppendPlanner/validate(_:to:)``).
    package var events: [ProposedEvent]
    /// The stream.
    package var stream: StreamID
    /// The version the caller expects the stream at.
    package var expected: ExpectedVersion

    /// A request.
    package init(events: [ProposedEvent], stream: StreamID, expected: ExpectedVersion) {
        self.events = events
        self.stream = stream
        self.expected = expected
    }
}

/// What one transaction of several appends writes, and what each caller gets back.
package struct AppendBatchPlan: Sendable {
    /// The events to insert, in position order (sealed, chained).
    package var stored: [EventEnvelope] = []
    /// The same events as the columns to insert.
    package var rows: [EnvelopeColumns] = []
    /// The streams' new heads.
    package var heads: [StreamID: StreamHead] = [:]
    /// One result per request, in order: the append (opened), its duplicate's stored events, or its error.
    package var outcomes: [Result<AppendResult, any Error>] = []
    /// The store head after the transaction.
    package var lastPosition: Int64

    /// An empty plan on top of `lastPosition`.
    package init(lastPosition: Int64) { self.lastPosition = lastPosition }
}

/// Whose request metadata a subject seals: an account, and the user who made the request.
private struct MetadataOwner: Hashable {
    var account: UUID
    var user: UUID?
}
