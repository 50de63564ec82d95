import Crypto
import Foundation

extension ProjectState {
    /// SHA-256 (hex) of the canonical JSON of the whole state: what the server computed and what
    /// an offline replay of the same stream must reproduce, byte for byte.
    public var stateHash: String {
        let value = (try? CanonicalJSON.value(of: self)) ?? .null
        return EventHash.hex(SHA256.hash(data: CanonicalJSON.bytes(value)))
    }
}
