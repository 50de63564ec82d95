import ApexDomain
public import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SSRF guard: which URLs messages may be posted to, and the address to connect to.
///
/// A URL must be absolute `https` (also `http` with ``allowHTTP``), with a host and no user
/// info. Its host is resolved and **every** address must be public: loopback, private
/// (RFC 1918, unique-local), link-local (169.254.0.0/16 with the cloud metadata address,
/// fe80::/10), carrier-grade NAT, multicast, broadcast and unspecified addresses are refused
/// unless ``allowPrivate``. The connection then goes to the address that was checked
/// (``Target/address``), so a second DNS answer cannot rebind it.
public struct URLGuard: Sendable {
    /// Allow `http` URLs (`APEX_WEBHOOK_ALLOW_HTTP=1`).
    public var allowHTTP: Bool
    /// Allow non-public addresses (`APEX_WEBHOOK_ALLOW_PRIVATE=1`).
    public var allowPrivate: Bool

    /// Resolves a host name to its addresses (IPv4 or IPv6 text).
    public typealias Resolver = @Sendable (String) async throws -> [String]
    /// How host names are resolved: nil (the default) asks the system (getaddrinfo); tests
    /// set one to play a name whose answer changes.
    public var resolver: Resolver?

    /// A guard.
    public init(allowHTTP: Bool = false, allowPrivate: Bool = false, resolver: Resolver? = nil) {
        self.allowHTTP = allowHTTP
        self.allowPrivate = allowPrivate
        self.resolver = resolver
    }

    /// A checked URL: its host and the address to connect to instead of resolving it again.
    public struct Target: Sendable, Hashable {
        /// The URL.
        public var url: String
        /// Its host (without brackets).
        public var host: String
        /// The checked address.
        public var address: String
    }

    /// Checks `text` without resolving it: scheme, host, no user info. Throws ``WebhooksError/Code/invalidURL``.
    public func parse(_ text: String) throws(WebhooksError) -> (url: URL, host: String) {
        guard text.utf8.count <= 2048, let url = URL(string: text), let scheme = url.scheme?.lowercased(),
              let rawHost = url.host, !rawHost.isEmpty, url.user == nil, url.password == nil
        else { throw WebhooksError(.invalidURL, "url must be an absolute https URL with a host, e.g. https://hooks.example.com/apex") }
        guard scheme == "https" || (scheme == "http" && allowHTTP) else {
            throw WebhooksError(.invalidURL, allowHTTP ? "url must use https or http" : "url must use https")
        }
        var host = rawHost
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (url, host)
    }

    /// Checks `text` and resolves its host: the address to connect to, or ``WebhooksError/Code/urlRefused``.
    public func check(_ text: String) async throws(WebhooksError) -> Target {
        let (_, host) = try parse(text)
        let addresses: [String]
        if AddressRanges.parseAddress(host) != nil {
            addresses = [host]
        } else {
            do { addresses = try await (resolver ?? Self.resolve)(host) } catch { addresses = [] }
        }
        guard let first = addresses.first else { throw WebhooksError(.urlRefused, "the url's host does not resolve") }
        if !allowPrivate {
            for address in addresses where !Self.isPublic(address) {
                throw WebhooksError(.urlRefused, "the url's host resolves to a loopback, private, link-local, multicast or unspecified address, which webhooks may not reach")
            }
        }
        return Target(url: text, host: host, address: first)
    }

    /// Whether `address` (IPv4 or IPv6 text) is a public unicast address.
    public static func isPublic(_ address: String) -> Bool {
        guard let b = AddressRanges.parseAddress(address) else { return false }
        if b.count == 4 { return isPublicV4(b) }
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible: judge the IPv4 address.
        if b[0..<10].allSatisfy({ $0 == 0 }), (b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0) {
            if b[10] == 0 && b[12..<16].allSatisfy({ $0 == 0 }) { return false } // :: and ::
            if b[10] == 0 && b[12...14].allSatisfy({ $0 == 0 }) && b[15] == 1 { return false } // ::1
            return isPublicV4(Array(b[12..<16]))
        }
        if b[0] == 0xff { return false }                      // multicast
        if b[0] == 0xfe && (b[1] & 0xc0) == 0x80 { return false } // link-local fe80::/10
        if (b[0] & 0xfe) == 0xfc { return false }             // unique local fc00::/7
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 { return false } // documentation
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b { return isPublicV4(Array(b[12..<16])) } // NAT64
        return true
    }

    static func isPublicV4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return false           // unspecified/this network, private, loopback
        case (169, 254): return false                           // link-local, cloud metadata
        case (172, 16...31), (192, 168): return false           // private
        case (100, 64...127): return false                      // carrier-grade NAT
        case (192, 0) where b[2] == 0 || b[2] == 2: return false // IETF, documentation
        case (198, 18...19): return false                       // benchmarking
        case (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: return false
        case (224...255, _): return false                       // multicast, reserved, broadcast
        default: return true
        }
    }

    /// The text of a NUL-terminated buffer.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Every address `host` resolves to (getaddrinfo, on NIO's thread pool).
    static func resolve(_ host: String) async throws -> [String] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            #else
            hints.ai_socktype = SOCK_STREAM
            #endif
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
            defer { freeaddrinfo(first) }
            var addresses: [String] = []
            var next: UnsafeMutablePointer<addrinfo>? = first
            while let info = next {
                var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                if info.pointee.ai_family == AF_INET {
                    var a = info.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    if inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count)) != nil { addresses.append(Self.text(buffer)) }
                } else if info.pointee.ai_family == AF_INET6 {
                    var a = info.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    if inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count)) != nil { addresses.append(Self.text(buffer)) }
                }
                next = info.pointee.ai_next
            }
            var seen = Set<String>()
            return addresses.filter { seen.insert($0).inserted }
        }
    }
}
