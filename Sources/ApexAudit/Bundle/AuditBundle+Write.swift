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
    package var globalLogEntries: Int64
    package var sealedNewCheckpoint: Bool
    package var publicKey: String

    package var json: JSONValue {
        [
            "stream": .string(stream.rawValue), "events": .number(Double(events)),
            "last_event_position": .number(Double(lastEventPosition)),
            "checkpoints": .array(checkpoints.map { .number(Double($0)) }),
            "global_log_entries": .number(Double(globalLogEntries)), "sealed_new_checkpoint": .bool(sealedNewCheckpoint),
            "public_key": .string(publicKey),
        ]
    }
}

extension AuditBundle {
    /// Writes the bundle of project `id` to `out`: line 1 streamed to a temporary file next to it
    /// (the global log is read page by page, never whole), then signed from a memory map, then
    /// moved into place, so `out` is either the complete bundle or untouched. The file is 0600.
    package static func write(
        store: any EventStore, project id: UUID, key: Curve25519.Signing.PrivateKey, to out: URL, now: Date = Date()
    ) async throws -> BundleSummary {
        let stream = StreamID.project(id)
        let events = try await store.readStream(stream, from: 1, limit: .max, mode: .stored)
        guard let last = events.last else { throw AuditError(.notFound, "no project \(id.lowercased) in this store (stream \(stream) has no events)") }
        var sealed = false
        var checkpoints = try await store.checkpoints()
        if !checkpoints.contains(where: { $0.position >= last.position }) {
            try await store.sealCheckpoint(signer: key, now: now)
            checkpoints = try await store.checkpoints()
            sealed = true
        }
        let included = checkpoints.filter { $0.position >= last.position }.sorted { $0.position < $1.position }
        guard let end = included.last?.position else {
            throw AuditError(.damagedStore, "could not seal a checkpoint covering position \(last.position); is another process writing checkpoints?")
        }
        let publicKey = key.publicKey.rawRepresentation.base64EncodedString()

        let partial = out.deletingLastPathComponent().appendingPathComponent(".\(out.lastPathComponent).\(UUID().lowercased).partial")
        guard (try? PrivateFiles.createFile(atPath: partial.path)) == true else {
            throw AuditError(.write, "cannot write to \(out.deletingLastPathComponent().path): check that the folder exists and is writable")
        }
        do {
            let handle = try FileHandle(forWritingTo: partial)
            var sink = ByteSink(handle)
            try sink.write("{\"checkpoints\":")
            try sink.write(CanonicalJSON.bytes(.array(try included.map { try CanonicalJSON.value(of: $0) })))
            try sink.write(",\"created_at\":")
            try sink.write(CanonicalJSON.bytes(.string(Timestamp.format(now))))
            try sink.write(",\"engine_version\":")
            try sink.write(CanonicalJSON.bytes(.string(CalculationEngine.version)))
            try sink.write(",\"events\":")
            try sink.write(CanonicalJSON.bytes(.array(events.map(json(of:)))))
            try sink.write(",\"format\":")
            try sink.write(CanonicalJSON.bytes(.string(format)))
            try sink.write(",\"global_log\":[")
            try await writeGlobalLog(store: store, through: end, into: &sink)
            try sink.write("],\"public_key\":")
            try sink.write(CanonicalJSON.bytes(.string(publicKey)))
            try sink.write(",\"stream\":")
            try sink.write(CanonicalJSON.bytes(.string(stream.rawValue)))
            try sink.write("}\n")
            try sink.flush()
            try handle.close()

            let mapped = try Data(contentsOf: partial, options: .alwaysMapped)
            let signature = try key.signature(for: mapped.dropLast()).base64EncodedString()
            let append = try FileHandle(forWritingTo: partial)
            try append.seekToEnd()
            try append.write(contentsOf: signatureLine(signature: signature, publicKey: publicKey) + [0x0A])
            try append.close()
            guard rename(partial.path, out.path) == 0 else { throw AuditError(.write, "cannot move the bundle into place at \(out.path)") }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        return BundleSummary(
            stream: stream, events: events.count, lastEventPosition: last.position, checkpoints: included.map(\.position),
            globalLogEntries: end, sealedNewCheckpoint: sealed, publicKey: publicKey)
    }

    /// Streams `"position|stream|version|hash"` of every event from 1 through `end`, comma-separated.
    private static func writeGlobalLog(store: any EventStore, through end: Int64, into sink: inout ByteSink) async throws {
        var cursor: Int64 = 0
        while cursor < end {
            let page = try await store.readAll(after: cursor, limit: 2000, mode: .stored)
            guard !page.isEmpty else { throw AuditError(.damagedStore, "the log ends at position \(cursor), before checkpoint position \(end): run apex-cli verify") }
            for event in page where event.position <= end {
                guard event.position == cursor + 1 else {
                    throw AuditError(.damagedStore, "the log skips from position \(cursor) to \(event.position): run apex-cli verify")
                }
                if cursor > 0 { try sink.write([UInt8(ascii: ",")]) }
                try sink.write(CanonicalJSON.bytes(.string(logEntry(event))))
                cursor = event.position
            }
            if page.last!.position > end { break }
        }
    }
}
