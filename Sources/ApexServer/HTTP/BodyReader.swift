import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Reads a JSON request body with field-level errors: malformed JSON and wrong types are 400,
/// unknown fields are 400 `unknown_field`, a body over the limit is 413.
struct BodyReader {
    let object: [String: JSONValue]

    /// Collects and parses the body as a JSON object.
    static func read(_ request: Request, limit: Int) async throws -> BodyReader {
        try parse(try await collect(request, limit: limit))
    }

    /// The raw body, or 413 above `limit`. Routes that must ask the policy first collect the
    /// bytes, authorize, and only then ``parse(_:)`` them, so a forbidden caller's malformed
    /// body is still an audited denial.
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        do { return try await request.body.collect(upTo: limit) } catch {
            throw APIError(.contentTooLarge, code: "body_too_large", "the request body is larger than \(limit) bytes")
        }
    }

    /// Parses collected bytes as a JSON object.
    static func parse(_ buffer: ByteBuffer) throws -> BodyReader {
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("a JSON object body is required", code: "malformed_json") }
        // JSON text is UTF-8 (RFC 8259 §8.1): invalid bytes are refused, never replaced.
        guard String(validating: buffer.readableBytesView, as: UTF8.self) != nil else {
            throw APIError.badRequest("the body is not valid UTF-8", code: "malformed_json")
        }
        let value: JSONValue
        do { value = try JSONValue.parse(buffer.readableBytesView) } catch {
            throw APIError.badRequest("the body is not valid JSON", code: "malformed_json")
        }
        guard case .object(let object) = value else { throw APIError.badRequest("the body must be a JSON object", code: "malformed_json") }
        return BodyReader(object: object)
    }

    /// Rejects members outside `allowed`.
    func only(_ allowed: Set<String>) throws -> BodyReader {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.badRequest(
                "'\(unknown)' is not a field of this request (allowed: \(allowed.sorted().joined(separator: ", ")))", code: "unknown_field",
                field: unknown)
        }
        return self
    }

    func has(_ key: String) -> Bool { object[key] != nil }

    func string(_ key: String) throws -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw typeError(key, "a string")
        }
    }

    func requiredString(_ key: String) throws -> String {
        guard let s = try string(key) else { throw APIError.badRequest("'\(key)' is required", code: "missing_field", field: key) }
        return s
    }

    func uuid(_ key: String) throws -> UUID? {
        guard let s = try string(key) else { return nil }
        guard let id = UUID(uuidString: s) else { throw APIError.badRequest("'\(key)' must be a UUID", code: "invalid_field", field: key) }
        return id
    }

    func int(_ key: String) throws -> Int? {
        switch object[key] {
        case nil, .null?: return nil
        case .number(let n)? where n == n.rounded() && abs(n) < 1e15: return Int(n)
        default: throw typeError(key, "an integer")
        }
    }

    func requiredInt(_ key: String) throws -> Int {
        guard let n = try int(key) else { throw APIError.badRequest("'\(key)' is required", code: "missing_field", field: key) }
        return n
    }

    /// An array of strings, or nil when absent or null.
    func strings(_ key: String) throws -> [String]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            return try items.map { item in
                guard case .string(let s) = item else { throw typeError(key, "an array of strings") }
                return s
            }
        default: throw typeError(key, "an array of strings")
        }
    }

    func object(_ key: String) throws -> [String: JSONValue]? {
        switch object[key] {
        case nil, .null?: return nil
        case .object(let o)?: return o
        default: throw typeError(key, "an object")
        }
    }

    func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws -> E? where E.RawValue == String {
        guard let s = try string(key) else { return nil }
        guard let value = E(rawValue: s) else {
            throw APIError.badRequest(
                "'\(key)' must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))", code: "invalid_field", field: key)
        }
        return value
    }

    func peLicense(_ key: String) throws -> PELicense? {
        guard let o = try object(key) else { return nil }
        do {
            let reader = try BodyReader(object: o).only(["number", "state", "expires_on"])
            let expires = try reader.requiredString("expires_on")
            guard let day = CivilDate(expires) else {
                throw APIError.badRequest("'\(key).expires_on' must be a date like 2027-06-30", code: "invalid_field", field: "expires_on")
            }
            return PELicense(number: try reader.requiredString("number"), state: try reader.requiredString("state").uppercased(), expiresOn: day)
        } catch var error as APIError {
            // Nested members are named by their full path (`pe_license.state`), like the domain's errors.
            error.field = error.field.map { "\(key).\($0)" }
            throw error
        }
    }

    private func typeError(_ key: String, _ expected: String) -> APIError {
        APIError.badRequest("'\(key)' must be \(expected)", code: "invalid_type", field: key)
    }
}
