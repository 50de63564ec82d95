import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Slow and idle clients through a real socket (security review M7): an idle connection, a
/// request head sent in part or byte by byte, and a body that never ends are closed after their
/// (here test-short) timeouts.
@Suite(.serialized) struct ConnectionTimeoutTests {
    static let get = "GET /healthz HTTP/1.1\r\nHost: apex.test\r\n\r\n"

    @Test func anIdleConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await World.with(withProjects: false, configure: { $0.idleTimeout = .milliseconds(400) }) { world in
            try await world.test(.live) { client in
                let port = try #require(client.port)
                let idle = try RawSocket(port: port)
                let closed = try #require(await idle.secondsUntilClosed(limit: 5), "an idle connection stayed open 5 s")
                #expect(closed < 3)
                // After a request too: kept alive for the next one, then closed when idle.
                let used = try RawSocket(port: port)
                used.send(Self.get)
                #expect(await used.read(limit: 2).hasPrefix("HTTP/1.1 200"))
                #expect(await used.secondsUntilClosed(limit: 5) != nil)
            }
        }
    }

    @Test func aHalfSentHeadIsClosedAfterTheHeaderTimeoutEvenWhileTrickling() async throws {
        try await World.with(withProjects: false, configure: {
            $0.idleTimeout = .seconds(30)
            $0.headerReadTimeout = .milliseconds(500)
        }) { world in
            try await world.test(.live) { client in
                let port = try #require(client.port)
                let half = try RawSocket(port: port)
                half.send("GET /healthz HTTP/1.1\r\nHost: apex.test\r\n")
                let closed = try #require(await half.secondsUntilClosed(limit: 5), "a half-sent head stayed open 5 s")
                #expect(closed < 3)

                // One byte every 100 ms never completes a head: closed although bytes keep coming.
                let trickle = try RawSocket(port: port)
                let start = Date()
                var open = true
                for byte in "GET /healthz HTTP/1.1\r\nX-Slow: \(String(repeating: "a", count: 200))" where open {
                    open = trickle.send(String(byte))
                    try await Task.sleep(for: .milliseconds(100))
                    if Date().timeIntervalSince(start) > 6 { break }
                }
                let closedAfter = open ? await trickle.secondsUntilClosed(limit: 0.5) : 0
                #expect(!open || closedAfter != nil, "a trickled head stayed open")
                #expect(Date().timeIntervalSince(start) < 4)

                // A connection that has sent nothing is idle, not reading a head: the idle timeout (30 s) applies.
                let quiet = try RawSocket(port: port)
                #expect(await quiet.secondsUntilClosed(limit: 1.2) == nil)
                quiet.send(Self.get)
                #expect(await quiet.read(limit: 2).hasPrefix("HTTP/1.1 200"))
            }
        }
    }

    @Test func aBodyThatNeverEndsIsClosedAfterTheBodyTimeout() async throws {
        try await World.with(withProjects: false, configure: {
            $0.idleTimeout = .seconds(30)
            $0.bodyReadTimeout = .milliseconds(500)
        }) { world in
            try await world.test(.live) { client in
                let port = try #require(client.port)
                let slow = try RawSocket(port: port)
                slow.send("POST /v1/projects HTTP/1.1\r\nHost: apex.test\r\nAuthorization: Bearer \(world.token("owner"))\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"na")
                let closed = try #require(await slow.secondsUntilClosed(limit: 5), "a never-ending body stayed open 5 s")
                #expect(closed < 3)
            }
        }
    }

    /// The body timeout grows with what a body has sent (a second per 16 KiB): an upload that
    /// keeps up 32 KiB/s outlasts a 0.5 s timeout four times over and is answered; one sending
    /// 4 KiB/s falls behind and is closed.
    @Test(arguments: [(8192, true), (1024, false)])
    func aBodyKeepingUpTheMinimumRateOutlastsTheBodyTimeout(piece: Int, served: Bool) async throws {
        try await World.with(withProjects: false, configure: {
            $0.idleTimeout = .seconds(30)
            $0.bodyReadTimeout = .milliseconds(500)
        }) { world in
            try await world.test(.live) { client in
                let port = try #require(client.port)
                let socket = try RawSocket(port: port)
                let length = 65_536
                let prefix = "{\"name\":\"Pylon\",\"description\":\""
                let body = prefix + String(repeating: "a", count: length - prefix.count - 2) + "\"}"
                socket.send("POST /v1/projects HTTP/1.1\r\nHost: apex.test\r\nAuthorization: Bearer \(world.token("owner"))\r\nContent-Type: application/json\r\nContent-Length: \(length)\r\n\r\n")
                var offset = body.startIndex
                var open = true
                for _ in 0..<8 where open && offset < body.endIndex {
                    let next = body.index(offset, offsetBy: piece, limitedBy: body.endIndex) ?? body.endIndex
                    open = socket.send(String(body[offset..<next]))
                    offset = next
                    try await Task.sleep(for: .milliseconds(250))
                }
                if served {
                    if offset < body.endIndex { _ = socket.send(String(body[offset...])) }
                    #expect(await socket.read(limit: 5).hasPrefix("HTTP/1.1 "), "a body sent at 32 KiB/s is read to its end and answered")
                } else {
                    let closed = try #require(await socket.secondsUntilClosed(limit: 5), "a body sent at 4 KiB/s stayed open")
                    #expect(closed < 3)
                }
            }
        }
    }
}
