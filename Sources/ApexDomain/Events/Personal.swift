/// A piece of personal data inside an event: a name, an email, an IP address.
///
/// Personal values are sealed (AES-GCM) by the store under their data subject's key and
/// opened again on read. Deleting the key erases the value everywhere at once while the
/// event, and its hash over the sealed bytes, stays intact (crypto-shredding).
///
/// On the wire a personal value is an object marked by `pii`, so the store can find it
/// anywhere in an event: `{"pii":"user:<uuid>","value":"Ada"}`, sealed
/// `{"pii":"user:<uuid>","sealed":"<base64>"}`, or erased `{"pii":"user:<uuid>","erased":true}`.
public struct Personal: Sendable, Hashable, Codable {
    /// What the value holds right now.
    public enum Content: Sendable, Hashable {
        /// The plaintext.
        case plain(String)
        /// Ciphertext, as the store keeps it (base64 of nonce, ciphertext and tag).
        case sealed(String)
        /// The key is gone: the value can never be read again.
        case erased
    }

    /// Whose key seals it: `user:<uuid>` for identity fields; ``DataSubject/requestMetadata``
    /// for request metadata, which the store narrows to the account and calendar month.
    public var subject: String
    /// The value.
    public var content: Content

    /// A plaintext value of `subject`.
    public init(_ value: String, subject: String) {
        self.subject = subject
        self.content = .plain(value)
    }

    /// A value in any state.
    public init(subject: String, content: Content) {
        self.subject = subject
        self.content = content
    }

    /// The plaintext, or `nil` when sealed or erased.
    public var plaintext: String? {
        if case .plain(let s) = content { return s }
        return nil
    }

    /// What a person is shown: the plaintext, `[erased]`, or `[sealed]`.
    public var display: String {
        switch content {
        case .plain(let s): s
        case .erased: Personal.erasedMarker
        case .sealed: "[sealed]"
        }
    }

    /// The text shown in place of an erased value.
    public static let erasedMarker = "[erased]"

    enum CodingKeys: String, CodingKey {
        case pii, value, sealed, erased
    }

    /// Decodes the `pii` object.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        subject = try c.decode(String.self, forKey: .pii)
        if let v = try c.decodeIfPresent(String.self, forKey: .value) {
            content = .plain(v)
        } else if let s = try c.decodeIfPresent(String.self, forKey: .sealed) {
            content = .sealed(s)
        } else {
            content = .erased
        }
    }

    /// Encodes the `pii` object.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(subject, forKey: .pii)
        switch content {
        case .plain(let v): try c.encode(v, forKey: .value)
        case .sealed(let s): try c.encode(s, forKey: .sealed)
        case .erased: try c.encode(true, forKey: .erased)
        }
    }
}

/// Names of data subjects, the owners of the keys that seal ``Personal`` values.
public enum DataSubject {
    /// The subject of a user's identity fields.
    public static func user(_ id: UUIDString) -> String { "user:\(id)" }
    /// Request metadata: the store replaces it with `meta:<account>:<YYYY-MM>` of the event's time.
    public static let requestMetadata = "meta"
}

/// A UUID in its canonical lowercase text form.
public typealias UUIDString = String
