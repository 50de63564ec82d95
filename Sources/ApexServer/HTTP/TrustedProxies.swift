import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A list of CIDR ranges whose requests are believed about the client behind them.
///
/// `127.0.0.1/32,10.0.0.0/8,::1/128`. Empty by default: then the socket peer is always the client.
public struct TrustedProxies: Sendable, Hashable {
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

    /// No trusted proxies.
    public static let none = TrustedProxies(ranges: [])

    private init(ranges: [Range]) { self.ranges = ranges }

    /// Parses a comma-separated CIDR list; a bare address means a single host.
    /// Throws a message naming the entry that is not a CIDR.
    public init(parsing text: String) throws {
        var ranges: [Range] = []
        for part in text.split(separator: ",").map({ String($0.trimmingOptionalWhitespace) }) where !part.isEmpty {
            let pieces = part.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = Self.parseAddress(pieces[0]) else { throw ConfigurationError("'\(part)' is not an IP address or CIDR range") }
            let prefix = pieces.count == 2 ? Int(pieces[1]) : bytes.count * 8
            guard let prefix, (0...(bytes.count * 8)).contains(prefix) else { throw ConfigurationError("'\(part)' has an invalid prefix length") }
            ranges.append(Range(bytes: bytes, prefix: prefix))
        }
        self.ranges = ranges
    }

    /// Whether `address` is inside a trusted range.
    /// An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, how a dual-stack socket reports an IPv4
    /// peer) is also checked as the IPv4 address it maps.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.parseAddress(address) else { return false }
        let mapped = bytes.count == 16 && bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF ? Array(bytes[12...]) : nil
        return ranges.contains { $0.contains(bytes) || mapped.map($0.contains) == true }
    }

    /// The client's address: the peer unless it is trusted; then `X-Forwarded-For` (or RFC 7239
    /// `Forwarded`) walked right to left, skipping trusted addresses; the first untrusted one is
    /// the client. A malformed entry stops the walk at the last address known to be good.
    public func clientAddress(peer: String?, xForwardedFor: String?, forwarded: String?) -> String? {
        guard let peer, contains(peer) else { return peer }
        let chain: [String]
        if let xff = xForwardedFor, !xff.isEmpty {
            chain = xff.split(separator: ",").map { String($0.trimmingOptionalWhitespace) }
        } else if let forwarded, !forwarded.isEmpty {
            chain = Self.forwardedFor(forwarded)
        } else {
            return peer
        }
        var client = peer
        for hop in chain.reversed() {
            let address = Self.stripPort(hop)
            guard Self.parseAddress(address) != nil else { return client }
            client = address
            if !contains(address) { return address }
        }
        return client
    }

    static func forwardedFor(_ header: String) -> [String] {
        header.split(separator: ",").compactMap { element in
            for pair in element.split(separator: ";") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingOptionalWhitespace }
                if kv.count == 2, kv[0].lowercased() == "for" { return String(kv[1].trimming { $0 == "\"" }) }
            }
            return nil
        }
    }

    static func stripPort(_ hop: String) -> String {
        if hop.hasPrefix("[") {
            // [v6]:port
            return String(hop.dropFirst().prefix { $0 != "]" })
        }
        let colons = hop.filter { $0 == ":" }.count
        if colons == 1, let i = hop.firstIndex(of: ":") { return String(hop[..<i]) }
        return hop
    }

    static func parseAddress(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: v6) { Array($0) } }
        return nil
    }
}

/// A setting that cannot be used, with the reason.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public var description: String
    /// An error.
    public init(_ description: String) { self.description = description }
}
