@testable import ApexServer
import Testing

/// `TrustedProxies.clientAddress`: the peer unless it is trusted; then the forwarding chain
/// walked right to left past trusted hops. IPv4 and IPv6, with and without ports.
@Suite struct TrustedProxiesTests {
    static let proxies = try! TrustedProxies(parsing: "127.0.0.1/32, 10.0.0.0/8, ::1/128, 2001:db8:aaaa::/48")

    struct Case: Sendable, CustomTestStringConvertible {
        let peer: String?, xff: String?, forwarded: String?, client: String?
        var testDescription: String { "peer \(peer ?? "nil") xff \(xff ?? "nil") fwd \(forwarded ?? "nil") → \(client ?? "nil")" }
        init(_ peer: String?, xff: String? = nil, forwarded: String? = nil, _ client: String?) {
            self.peer = peer
            self.xff = xff
            self.forwarded = forwarded
            self.client = client
        }
    }

    static let cases: [Case] = [
        // An untrusted peer is the client, whatever it claims.
        Case("203.0.113.9", xff: "1.1.1.1", "203.0.113.9"),
        Case("2001:db8:bbbb::1", xff: "1.1.1.1", forwarded: "for=1.1.1.1", "2001:db8:bbbb::1"),
        Case(nil, xff: "1.1.1.1", nil),
        // A trusted peer without a forwarding header is itself the client.
        Case("10.0.0.5", "10.0.0.5"),
        Case("10.0.0.5", xff: "", "10.0.0.5"),
        // IPv4 chains, trusted hops skipped from the right.
        Case("127.0.0.1", xff: "203.0.113.9, 10.1.2.3", "203.0.113.9"),
        Case("127.0.0.1", xff: "1.2.3.4,203.0.113.9,10.1.2.3,10.4.5.6", "203.0.113.9"),
        Case("127.0.0.1", xff: "203.0.113.9:51234, 10.1.2.3:8080", "203.0.113.9"),
        // Every hop trusted: the leftmost one is as far as anyone can tell.
        Case("127.0.0.1", xff: "10.0.0.2, 10.0.0.3", "10.0.0.2"),
        // A malformed hop stops the walk at the last good address.
        Case("127.0.0.1", xff: "203.0.113.9, not-an-ip, 10.1.2.3", "10.1.2.3"),
        Case("127.0.0.1", xff: "garbage", "127.0.0.1"),
        // IPv6 peers and hops, bare and bracketed with a port.
        Case("::1", xff: "2001:db8::5", "2001:db8::5"),
        Case("::1", xff: "2001:db8::5, 2001:db8:aaaa::7", "2001:db8::5"),
        Case("2001:db8:aaaa::1", xff: "[2001:db8::9]:4711", "2001:db8::9"),
        Case("::1", xff: "198.51.100.1, ::1", "198.51.100.1"),
        // RFC 7239 Forwarded: quoted, bracketed IPv6 with a port, several elements, other parameters.
        Case("127.0.0.1", forwarded: #"for="198.51.100.7""#, "198.51.100.7"),
        Case("127.0.0.1", forwarded: #"for="[2001:db8:cafe::17]:4711""#, "2001:db8:cafe::17"),
        Case("127.0.0.1", forwarded: #"for=192.0.2.60;proto=http;by=203.0.113.43, for=10.2.2.2"#, "192.0.2.60"),
        Case("127.0.0.1", forwarded: #"proto=https;For="198.51.100.8:443""#, "198.51.100.8"),
        // A dual-stack socket reports IPv4 peers as IPv4-mapped IPv6 addresses: still trusted by their IPv4 range.
        Case("::ffff:127.0.0.1", xff: "203.0.113.9, ::ffff:10.1.2.3", "203.0.113.9"),
        Case("::ffff:192.0.2.1", xff: "203.0.113.9", "::ffff:192.0.2.1"),
        // Spaces and tabs around hops and parameters are HTTP's optional whitespace.
        Case("127.0.0.1", xff: " \t203.0.113.9 ,\t10.1.2.3 ", "203.0.113.9"),
        Case("127.0.0.1", forwarded: "for = \t\"198.51.100.9\" ;proto=http", "198.51.100.9"),
        // X-Forwarded-For wins over Forwarded when both are present.
        Case("127.0.0.1", xff: "203.0.113.1", forwarded: "for=198.51.100.7", "203.0.113.1"),
    ]

    @Test(arguments: cases)
    func clientAddress(_ c: Case) {
        #expect(Self.proxies.clientAddress(peer: c.peer, xForwardedFor: c.xff, forwarded: c.forwarded) == c.client)
    }

    @Test func headerTextLosesOnlyTheOptionalWhitespaceAroundIt() {
        #expect(" \t Bearer  x.y.z \t".trimmingOptionalWhitespace == "Bearer  x.y.z")
        #expect("abc".trimmingOptionalWhitespace == "abc")
        #expect(" \t ".trimmingOptionalWhitespace == "")
        #expect("".trimmingOptionalWhitespace == "")
        #expect("\u{A0}1.2.3.4".trimmingOptionalWhitespace == "\u{A0}1.2.3.4")  // not HTTP whitespace
        #expect(#""3""#.trimming { $0 == "\"" } == "3")
        #expect(#""""#.trimming { $0 == "\"" } == "")
    }

    @Test func noTrustedProxiesMeansThePeerAlways() throws {
        #expect(TrustedProxies.none.clientAddress(peer: "127.0.0.1", xForwardedFor: "203.0.113.9", forwarded: nil) == "127.0.0.1")
        #expect(try TrustedProxies(parsing: "") == .none)
        #expect(try TrustedProxies(parsing: " , ") == .none)
    }

    @Test func rangesMatchByPrefix() throws {
        let p = try TrustedProxies(parsing: "192.168.1.0/24,172.16.0.0/12,fd00::/8,203.0.113.5")
        #expect(p.contains("192.168.1.200"))
        #expect(!p.contains("192.168.2.1"))
        #expect(p.contains("172.31.255.255"))
        #expect(!p.contains("172.32.0.0"))
        #expect(p.contains("fd12:3456::1"))
        #expect(!p.contains("fe80::1"))
        #expect(p.contains("203.0.113.5"))
        #expect(!p.contains("203.0.113.6"))
        // IPv4 ranges match IPv4-mapped IPv6 addresses only, and junk matches nothing.
        #expect(p.contains("::ffff:192.168.1.1"))
        #expect(!p.contains("::ffff:192.168.2.1"))
        #expect(!p.contains("::192.168.1.1"))
        #expect(!p.contains("not an address"))
        #expect(try TrustedProxies(parsing: "0.0.0.0/0").contains("8.8.8.8"))
    }

    @Test(arguments: ["10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/x", "nonsense", "10.0.0/8", "300.1.1.1"])
    func malformedListsAreRefusedNamingTheEntry(_ entry: String) {
        #expect {
            try TrustedProxies(parsing: "127.0.0.1/32,\(entry)")
        } throws: { error in
            (error as? ConfigurationError)?.description.contains(entry) == true
        }
    }
}
