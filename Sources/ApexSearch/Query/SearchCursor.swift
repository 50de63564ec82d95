import ApexDomain
import Crypto
import Foundation

/// Where a page of hits ends: the last hit's score and key, tied to the query and filters it
/// was issued for. Opaque to clients (base64url); stable (the same index gives the same pages).
struct SearchCursor: Sendable, Hashable {
    /// The last hit's score.
    var score: Double
    /// The last hit's key.
    var key: String

    /// The text a client gets back for a page that ends at `hit`.
    static func encode(after hit: SearchHit, query: SearchQuery, filter: SearchFilter) -> String {
        let text = ["1", fingerprint(query, filter), String(hit.score.bitPattern, radix: 16), hit.key].joined(separator: "|")
        return Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The cursor `text` names; throws ``SearchError/Code/invalidCursor`` unless this server
    /// issued it for the same query and filters.
    static func decode(_ text: String, query: SearchQuery, filter: SearchFilter) throws(SearchError) -> SearchCursor {
        let refused = SearchError(.invalidCursor, "the cursor is not one this server issued for this query", field: "cursor")
        guard text.utf8.count <= 400, text.utf8.allSatisfy({ Self.alphabet.contains($0) }) else { throw refused }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let decoded = String(data: data, encoding: .utf8) else { throw refused }
        let parts = decoded.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "1", parts[1] == fingerprint(query, filter), let bits = UInt64(parts[2], radix: 16),
            Self.isKey(parts[3])
        else { throw refused }
        let score = Double(bitPattern: bits)
        guard score.isFinite else { throw refused }
        return SearchCursor(score: score, key: String(parts[3]))
    }

    /// base64url without padding.
    private static let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// `kind:uuid`.
    private static func isKey(_ text: Substring) -> Bool {
        let parts = text.split(separator: ":", maxSplits: 1)
        return parts.count == 2 && SearchKind(rawValue: String(parts[0])) != nil && UUID(uuidString: String(parts[1])) != nil
    }

    /// 16 hex digits of SHA-256 over the query text and the filters.
    private static func fingerprint(_ query: SearchQuery, _ filter: SearchFilter) -> String {
        let digest = SHA256.hash(data: Data((query.text + "\u{1E}" + filter.canonical).utf8))
        return EventHash.hex(digest.prefix(8))
    }
}
