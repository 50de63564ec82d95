package import ApexDomain
package import ApexStore
package import Crypto
package import Foundation

/// What `audit bundle` wrote.
package struct BundleSummary: Sendable {
    package var stream: StreamID
    package var events: Int
    package var lastEventPosition: Int64
    package var checkpoints: [Int64]
    package var sealedNewCheckpoint: Bool
    package var publicKey: String

    package var json: JSONValue {
        [
            "stream": .string(stream.rawValue), "events": .number(Double(events)),
            "last_event_position": .number(Double(lastEventPosition)),
            "checkpoints": .array(checkpoints.map { .number(Double($0)) }),
            "sealed_new_checkpoint": .bool(sealedNewCheckpoint), "public_key": .string(publicKey),
        ]
    }
}

extension AuditBundle {
    /// Writes the bundle of project `id` to `out`: line 1, then its signature, to a temporary
    /// file next to it, moved into place, so `out` is either the complete bundle or untouched.
    /// The file is 0600.
    ///
    /// The events must be sealed by a version 2 checkpoint: when none covers the project's last
    /// event yet (the store has none, or only version 1 ones, or events came since), one is
    /// sealed now with `key`, which must then be the checkpoint signing key. Making the proofs
    /// reads the hash of every event up to the last checkpoint (32 bytes each, then about as
    /// much again for the tree); nothing else of other events is read or written.
    package static func write(
        store: any EventStore, project id: UUID, key: Curve25519.Signing.PrivateKey, to out: URL, now: Date = Date()
    ) async throws -> BundleSummary {
        let stream = StreamID.project(id)
        let events = try await store.readStream(stream, from: 1, limit: .max, mode: .stored)
        guard let last = events.last else { throw AuditError(.notFound, "no project \(id.lowercased) in this store (stream \(stream) has no events)") }
        var sealed = false
        var checkpoints = try await store.checkpoints().filter { $0.version == 2 }
        if !checkpoints.contains(where: { $0.position >= last.position }) {
            try await store.sealCheckpoint(signer: key, now: now)
            checkpoints = try await store.checkpoints().filter { $0.version == 2 }
            sealed = true
        }
        guard let anchor = checkpoints.first(where: { $0.position >= last.position }), let latest = checkpoints.last else {
            throw AuditError(.damagedStore, "could not seal a checkpoint covering position \(last.position); is another process writing checkpoints?")
        }
        let included = anchor == latest ? [anchor] : [anchor, latest]
        let tree = MerkleTree(leaves: try await store.merkleLeaves(through: latest.position))
        for c in included where tree.root(size: Int(c.position)).hex != c.digest {
            throw AuditError(.damagedStore, "the log does not hash to the checkpoint at position \(c.position): run apex-cli verify")
        }
        let size = Int(anchor.position)
        let body: JSONValue = [
            "checkpoints": .array(try included.map { try CanonicalJSON.value(of: $0) }),
            "consistency": .array(
                included.count < 2
                    ? []
                    : [
                        [
                            "from": .number(Double(anchor.position)), "to": .number(Double(latest.position)),
                            "path": json(of: tree.consistencyProof(from: size, to: Int(latest.position))),
                        ]
                    ]),
            "created_at": .string(Timestamp.format(now)),
            "engine_version": .string(CalculationEngine.version),
            "events": .array(events.map(json(of:))),
            "format": .string(format),
            "inclusion": .array(
                events.map { event in
                    [
                        "position": .number(Double(event.position)), "tree_size": .number(Double(size)),
                        "path": json(of: tree.inclusionProof(index: Int(event.position - 1), size: size)),
                    ]
                }),
            "public_key": .string(key.publicKey.rawRepresentation.base64EncodedString()),
            "stream": .string(stream.rawValue),
        ]
        try write(line1: CanonicalJSON.bytes(body), key: key, to: out)
        return BundleSummary(
            stream: stream, events: events.count, lastEventPosition: last.position, checkpoints: included.map(\.position),
            sealedNewCheckpoint: sealed, publicKey: key.publicKey.rawRepresentation.base64EncodedString())
    }

    /// Writes `line1` and its signature line to a 0600 temporary file beside `out`, then moves it into place.
    private static func write(line1: [UInt8], key: Curve25519.Signing.PrivateKey, to out: URL) throws {
        let partial = out.deletingLastPathComponent().appendingPathComponent(".\(out.lastPathComponent).\(UUID().lowercased).partial")
        guard (try? PrivateFiles.createFile(atPath: partial.path)) == true else {
            throw AuditError(.write, "cannot write to \(out.deletingLastPathComponent().path): check that the folder exists and is writable")
        }
        do {
            let signature = try key.signature(for: Data(line1)).base64EncodedString()
            let handle = try FileHandle(forWritingTo: partial)
            try handle.write(contentsOf: line1 + [0x0A] + signatureLine(signature: signature, publicKey: key.publicKey.rawRepresentation.base64EncodedString()) + [0x0A])
            try handle.close()
            guard rename(partial.path, out.path) == 0 else { throw AuditError(.write, "cannot move the bundle into place at \(out.path)") }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
    }
}
