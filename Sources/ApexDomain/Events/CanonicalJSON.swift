import Foundation

/// The canonical JSON encoding that hashes are computed over.
///
/// Object keys are sorted by their UTF-8 bytes, there is no white space, integral numbers
/// print without a fraction (`3`, not `3.0`), other numbers print in Swift's shortest
/// round-trip form, and strings escape only what JSON requires. The same value always
/// gives the same bytes, on every platform and in every release.
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    /// The canonical text of `value`.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// The canonical text of a number.
    ///
    /// Integral numbers up to 2^53 print as integers; Swift's own form would add `.0` from 1e15 on.
    public static func number(_ n: Double) -> String {
        if n.isFinite, n == n.rounded(), abs(n) <= 9_007_199_254_740_992 {
            return String(Int64(n))
        }
        return n.isFinite ? "\(n)" : "null"
    }

    /// Converts any `Encodable` into a ``JSONValue``: the tree the domain's JSON coder's text
    /// would parse to, built directly.
    public static func value<T: Encodable>(of encodable: T) throws -> JSONValue {
        try JSONValueEncoder.encode(encodable)
    }

    /// Decodes a `Decodable` from a ``JSONValue`` as the domain's JSON coder would from its text.
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONValueDecoder.decode(type, from: value)
    }

    static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: number(n).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (i, key) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(members[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `s` as a canonical JSON string (quoted, escaped). Runs of bytes that need no
    /// escape are copied whole.
    package static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var run = 0
            while true {
                let end = JSONScan.plainRunEnd(bytes, from: run)
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<end]))
                guard end < bytes.count else { break }
                escape(bytes[end], into: &out)
                run = end + 1
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func escape(_ byte: UInt8, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        default:
            out.append(contentsOf: "u00".utf8)
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
    }
}
