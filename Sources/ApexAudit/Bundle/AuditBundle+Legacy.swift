import ApexDomain
import ApexStore

extension BundleVerifier {
    /// Version 1 (``AuditBundle/legacyFormat``): each event's line at its position in the global
    /// log, and each checkpoint's digest recomputed from the log.
    mutating func checkGlobalLog(_ rawLog: [JSONValue], events: [EventEnvelope], checkpoints: [Checkpoint?]) {
        let log = rawLog.map { $0.stringValue.flatMap(AuditBundle.logEnvelope) }
        for event in events {
            let (v, p) = (event.version, event.position)
            if p < 1 || p > Int64(log.count) {
                fail("global_log_mismatch", version: v, position: p, "position \(p) is outside the global log (1…\(log.count))")
            } else if log[Int(p - 1)].map(AuditBundle.logEntry) != AuditBundle.logEntry(event) {
                fail("global_log_mismatch", version: v, position: p, "the global log at position \(p) does not record this event (stream, version and hash)")
            }
        }
        let sealed = checkpoints.compactMap { $0 }
        let digests = globalDigests(log, at: Set(sealed.map(\.position)))
        for c in sealed {
            if c.position > Int64(log.count) {
                fail("checkpoint_digest", position: c.position, "the global log ends at \(log.count), before this checkpoint")
            } else if let digest = digests[c.position], digest != c.digest {
                fail("checkpoint_digest", position: c.position, "sealed digest \(c.digest.prefix(12))… but the global log up to it digests to \(digest.prefix(12))…")
            } else if digests[c.position] == nil {
                fail("checkpoint_digest", position: c.position, "the digest could not be recomputed: the global log before it is damaged")
            }
        }
    }

    /// Folds the global log with the store's own digest, position by position from 1, and keeps
    /// the digest at each position in `wanted`. Stops at the first line that is malformed or out of order.
    private mutating func globalDigests(_ log: [EventEnvelope?], at wanted: Set<Int64>) -> [Int64: String] {
        var digest = GlobalDigest()
        var found: [Int64: String] = [:]
        for (index, entry) in log.enumerated() {
            let position = Int64(index + 1)
            guard let entry, entry.position == position else {
                fail("global_log_gap", position: position, "global_log entry \(position) is malformed or names another position: the log was altered")
                break
            }
            digest.add(entry)
            result.globalLogEntries += 1
            if wanted.contains(position) { found[position] = digest.hex }
        }
        return found
    }
}
