import Foundation

extension Personal {
    /// A personal value from its `pii` object, or nil when `json` is not one.
    public init?(json: JSONValue) {
        guard case .object(let o) = json, case .string(let subject)? = o["pii"] else { return nil }
        if case .string(let v)? = o["value"] {
            self.init(subject: subject, content: .plain(v))
        } else if case .string(let s)? = o["sealed"] {
            self.init(subject: subject, content: .sealed(s))
        } else {
            self.init(subject: subject, content: .erased)
        }
    }
}

extension RequestMetadata {
    /// Metadata from its JSON (``json``), without a `Decodable` pass: the read path's fast way.
    public init(json: JSONValue) throws {
        guard case .object(let o) = json else { throw DomainError(.invalidInput, "request_metadata must be an object") }
        func personal(_ key: String) throws -> Personal? {
            switch o[key] {
            case nil, .null?: return nil
            case .string(let s)?: return Personal(s, subject: DataSubject.requestMetadata)
            case let value?:
                guard let p = Personal(json: value) else { throw DomainError(.invalidInput, "request_metadata.\(key) is not a personal value") }
                return p
            }
        }
        self.init()
        ipAddress = try personal("ip_address")
        userAgent = try personal("user_agent")
        xForwardedFor = try personal("x_forwarded_for")
        peerAddress = try personal("peer_address")
        forwarded = try personal("forwarded")
        requestID = o["request_id"]?.stringValue
        traceID = o["trace_id"]?.stringValue
    }
}

extension Actor {
    /// The actor its JSON (``json``) describes; members that are missing or not ids are nil.
    public init(json: JSONValue) {
        self.init(
            userID: json["user_id"]?.stringValue.flatMap(UUID.init(text:)),
            onBehalfOf: json["on_behalf_of"]?.stringValue.flatMap(UUID.init(text:)),
            service: json["service"]?.stringValue)
    }
}
