import Crypto

/// The record of one calculation run: what went in, what came out, which engine computed it,
/// and a SHA-256 hash binding all four together.
///
/// An approval covers one result hash. A verifier checks a stored result with
/// ``recomputedHash()``:
///
/// ```swift
/// let stored = try CanonicalJSON.decode(CalculationResult.self, from: json)
/// guard stored.recomputedHash() == stored.resultHash else { /* tampered or corrupt */ }
/// ```
///
/// On the wire: `{"type", "inputs", "outputs", "engine_version", "result_hash"}`.
public struct CalculationResult: Sendable, Hashable, Codable {
    /// Which calculation this is.
    public var type: CalculationType
    /// The validated inputs, every optional input present with its default filled in.
    public var inputs: [String: JSONValue]
    /// The results, each a `.number` at full `Double` precision (never rounded).
    public var outputs: [String: JSONValue]
    /// The ``CalculationEngine/version`` that computed the outputs.
    public var engineVersion: String
    /// Lowercase hex SHA-256 of the canonical JSON of `{"type", "inputs", "outputs", "engine_version"}`.
    public var resultHash: String

    /// The JSON field names.
    enum CodingKeys: String, CodingKey {
        case type
        case inputs
        case outputs
        case engineVersion = "engine_version"
        case resultHash = "result_hash"
    }

    /// A result whose hash is computed from the other fields.
    init(type: CalculationType, inputs: [String: JSONValue], outputs: [String: JSONValue], engineVersion: String) {
        self.type = type
        self.inputs = inputs
        self.outputs = outputs
        self.engineVersion = engineVersion
        self.resultHash = ""
        self.resultHash = recomputedHash()
    }

    /// The object the hash is computed over: everything but the hash itself.
    ///
    /// ```json
    /// {"engine_version":"1.0.0","inputs":{"F":2000,"Fb":30,"y":15},"outputs":{"M":30000,"S":12},"type":"pole_base_moment"}
    /// ```
    public var hashedContent: JSONValue {
        .object([
            "type": .string(type.rawValue),
            "inputs": .object(inputs),
            "outputs": .object(outputs),
            "engine_version": .string(engineVersion),
        ])
    }

    /// The hash of this result's current content, to compare with the stored ``resultHash``.
    ///
    /// Lowercase hex SHA-256 over `CanonicalJSON.bytes(hashedContent)`.
    public func recomputedHash() -> String {
        let digest = SHA256.hash(data: CanonicalJSON.bytes(hashedContent))
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined()
    }
}
