import ApexDomain
import Foundation

/// Stored events as JSON lines: every field exactly as hashed, plus position and hashes.
enum SegmentCodec {
    static func encode(_ events: [EventEnvelope]) -> Data {
        var out = Data()
        for e in events {
            var o = e.canonicalBody.objectValue ?? [:]
            o["position"] = .number(Double(e.position))
            o["prev_hash"] = .string(e.prevHash)
            o["hash"] = .string(e.hash)
            out.append(contentsOf: CanonicalJSON.bytes(.object(o)))
            out.append(0x0A)
        }
        return out
    }

    static func decode(_ data: Data) throws -> [EventEnvelope] {
        let decoder = DomainCoder.decoder
        return try data.split(separator: 0x0A).map { line in
            do { return try decoder.decode(EventEnvelope.self, from: Data(line)) } catch {
                throw BackupError(.corrupt, "a segment line is not a valid event")
            }
        }
    }
}

extension Data {
    var sha256Hex: String {
        EventHash.hex(Crypto.SHA256.hash(data: self))
    }
}

import Crypto
