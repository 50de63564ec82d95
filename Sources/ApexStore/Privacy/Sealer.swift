package import ApexDomain
package import Crypto
package import Foundation

/// Seals and opens ``Personal`` values at the store boundary (AES-GCM, one key per data subject).
///
/// The ciphertext is bound to its subject (additional authenticated data), so a sealed value
/// cannot be moved to another person's key. A value whose key is gone opens as erased.
package enum Sealer {
    /// Every subject whose key the envelope's personal values need (request metadata resolved).
    package static func subjects(of envelope: EventEnvelope) -> Set<String> {
        var found = Set<String>()
        for field in envelope.requestMetadata.personalFields {
            if let personal = envelope.requestMetadata[keyPath: field] { found.insert(personal.subject) }
        }
        collectSubjects(of: envelope.data, into: &found)
        return found
    }

    /// The subject that request metadata of `account` recorded at `date` is sealed under:
    /// `meta:<account>:<YYYY-MM>`, and `:<user>` after it for a request a user made, so that
    /// retention deletes a month's keys and erasing a user also deletes the keys of their own
    /// requests' IP address and user agent (``EventStore/eraseUser(_:account:)``).
    package static func metadataSubject(account: UUID, at date: Date, user: UUID? = nil) -> String {
        let month = "meta:\(account.lowercased):\(Timestamp.format(date).prefix(7))"
        return user.map { "\(month):\($0.lowercased)" } ?? month
    }

    /// The calendar month (`YYYY-MM`) a request-metadata subject names, or nil for another subject.
    package static func metadataMonth(of subject: String) -> Substring? {
        let parts = subject.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "meta" else { return nil }
        return parts[2]
    }

    /// Whether request metadata recorded at `a` and at `b` is sealed under the same subjects:
    /// their months as an append's time (truncated as it records it) is formatted.
    package static func sameMonth(_ a: Date, _ b: Date) -> Bool {
        Timestamp.format(Timestamp.truncated(a)).prefix(7) == Timestamp.format(Timestamp.truncated(b)).prefix(7)
    }

    /// The envelope with the request-metadata placeholder subject narrowed to account and month:
    /// `subject` is its ``metadataSubject(account:at:)``, worked out once for a batch.
    package static func resolvingSubjects(_ envelope: EventEnvelope, to subject: String) -> EventEnvelope {
        transform(envelope) { p in
            var p = p
            if p.subject == DataSubject.requestMetadata { p.subject = subject }
            return p
        }
    }

    /// The envelope with every plaintext personal value sealed under its subject's key.
    package static func seal(_ envelope: EventEnvelope, keys: [String: SymmetricKey]) throws -> EventEnvelope {
        var failure: (any Error)?
        let sealed = transform(envelope) { p in
            guard case .plain(let text) = p.content else { return p }
            guard let key = keys[p.subject] else {
                failure = EventStoreError(.invalidEvent, "no key for data subject \(p.subject)")
                return p
            }
            do {
                let box = try AES.GCM.seal(Data(text.utf8), using: key, authenticating: Data(p.subject.utf8))
                return Personal(subject: p.subject, content: .sealed(box.combined!.base64EncodedString()))
            } catch {
                failure = error
                return p
            }
        }
        if let failure { throw failure }
        return sealed
    }

    /// The envelope with sealed values opened, or erased where the key is gone.
    package static func open(_ envelope: EventEnvelope, keys: [String: SymmetricKey]) -> EventEnvelope {
        envelope.opening(opener(keys: keys))
    }

    /// Opens one personal value with `keys`: sealed becomes plaintext, or erased where the key
    /// is gone (or the ciphertext does not open under it); other values are kept.
    package static func opener(keys: [String: SymmetricKey]) -> @Sendable (Personal) -> Personal {
        { p in
            guard case .sealed(let text) = p.content else { return p }
            guard let key = keys[p.subject], let data = Data(base64Encoded: text),
                let box = try? AES.GCM.SealedBox(combined: data),
                let plain = try? AES.GCM.open(box, using: key, authenticating: Data(p.subject.utf8))
            else { return Personal(subject: p.subject, content: .erased) }
            return Personal(subject: p.subject, content: .plain(String(decoding: plain, as: UTF8.self)))
        }
    }

    /// A fresh random data key.
    package static func newKey() -> SymmetricKey { SymmetricKey(size: .bits256) }

    /// The envelope with `body` applied to each personal value.
    private static func transform(_ envelope: EventEnvelope, _ body: (Personal) -> Personal) -> EventEnvelope {
        var e = envelope
        e.parts = e.parts.mappingPersonal(body)
        return e
    }

    /// Adds the subject of every personal value in `value` to `subjects`.
    package static func collectSubjects(of value: JSONValue, into subjects: inout Set<String>) {
        switch value {
        case .object(let members):
            if case .string(let subject)? = members["pii"] {
                subjects.insert(subject)
                return
            }
            for member in members.values { collectSubjects(of: member, into: &subjects) }
        case .array(let items):
            for item in items { collectSubjects(of: item, into: &subjects) }
        default:
            return
        }
    }
}
