import Foundation

/// A set of IP address ranges (CIDR, IPv4 and IPv6): an account's IP allowlist, the trusted proxies.
///
/// ```swift
/// let ranges = try AddressRanges(parsing: ["203.0.113.0/24", "2001:db8::/32"])
/// ranges.contains("203.0.113.7")   // true
/// ```
/// A bare address is a single host. An IPv4-mapped IPv6 address (`::ffff:203.0.113.7`, how a
/// dual-stack socket reports an IPv4 peer) is also checked as the IPv4 address it maps.
public struct AddressRanges: Sendable, Hashable {
    /// One CIDR range: the network's bytes (4 or 16) and the prefix length.
    struct Range: Sendable, Hashable {
        var bytes: [UInt8]
        var prefix: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var bits = prefix
            for i in 0..<bytes.count where bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if address[i] & mask != bytes[i] & mask { return false }
                bits -= 8
            }
            return true
        }
    }

    let ranges: [Range]
    /// The ranges as given, trimmed, in order: what an event records and an API shows.
    public let entries: [String]

    /// No ranges.
    public static let any = AddressRanges(ranges: [], entries: [])

    private init(ranges: [Range], entries: [String]) {
        self.ranges = ranges
        self.entries = entries
    }

    /// Whether there are no ranges.
    public var isEmpty: Bool { ranges.isEmpty }

    /// Parses CIDR ranges (`10.0.0.0/8`, `2001:db8::/32`) or bare addresses. Throws
    /// ``DomainError/Code/invalidInput`` naming `field` and the entry that is not one; at most
    /// 1000 entries.
    public init(parsing entries: [String], field: String = "ip_allowlist") throws(DomainError) {
        guard entries.count <= 1000 else { throw DomainError(.invalidInput, "at most 1000 ranges", field: field) }
        var ranges: [Range] = []
        var kept: [String] = []
        for raw in entries {
            let entry = raw.trimmingCharacters(in: .whitespaces)
            let pieces = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard entry.utf8.count <= 64, let bytes = Self.parseAddress(pieces[0]) else {
                throw DomainError(.invalidInput, "'\(raw.prefix(64))' is not an IP address or CIDR range", field: field)
            }
            let prefix = pieces.count == 2 ? (pieces[1].allSatisfy(\.isASCII) ? Int(pieces[1]) : nil) : bytes.count * 8
            guard let prefix, (0...(bytes.count * 8)).contains(prefix) else {
                throw DomainError(.invalidInput, "'\(entry)' has an invalid prefix length (0-\(bytes.count * 8))", field: field)
            }
            ranges.append(Range(bytes: bytes, prefix: prefix))
            kept.append(entry)
        }
        self.init(ranges: ranges, entries: kept)
    }

    /// Whether `address` (an IPv4 or IPv6 address in text) lies in one of the ranges.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.parseAddress(address) else { return false }
        let mapped = bytes.count == 16 && bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF ? Array(bytes[12...]) : nil
        return ranges.contains { $0.contains(bytes) || mapped.map($0.contains) == true }
    }

    /// The bytes of an IPv4 (4) or IPv6 (16) address, or nil when `text` is neither.
    public static func parseAddress(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: v6) { Array($0) } }
        return nil
    }
}
