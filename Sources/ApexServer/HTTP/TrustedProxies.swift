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
    let ranges: AddressRanges

    /// No trusted proxies.
    public static let none = TrustedProxies(ranges: .any)

    private init(ranges: AddressRanges) { self.ranges = ranges }

    /// Parses a comma-separated CIDR list; a bare address means a single host.
    /// Throws a message naming the entry that is not a CIDR.
    public init(parsing text: String) throws {
        do {
            ranges = try AddressRanges(parsing: text.split(separator: ",").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        } catch {
            throw ConfigurationError(error.message)
        }
    }

    /// Whether `address` is inside a trusted range (IPv4-mapped IPv6 addresses as the IPv4 they map).
    public func contains(_ address: String) -> Bool { ranges.contains(address) }

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

    static func parseAddress(_ text: String) -> [UInt8]? { AddressRanges.parseAddress(text) }
}

/// A setting that cannot be used, with the reason.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public var description: String
    /// An error.
    public init(_ description: String) { self.description = description }
}
