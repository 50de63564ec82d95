import ApexServer
import Foundation
import Testing

/// The connection cap (`APEX_MAX_CONNECTIONS`, security review M7) through a real socket: with the
/// cap at N and N connections open, a further connection is accepted by the kernel (it waits in the
/// listen backlog) but not served until one of the N closes, even when many arrive at once.
@Suite(.serialized) struct ConnectionCapTests {
    static let get = "GET /healthz HTTP/1.1\r\nHost: apex.test\r\n\r\n"

    @Test func aConnectionBeyondTheCapWaitsUntilOneCloses() async throws {
        try await World.with(withProjects: false, configure: { $0.maxConnections = 2 }) { world in
            try await world.serve { port in
                // A burst: six connections before the server reads any (NIO may accept several a read).
                let sockets = try (0..<6).map { _ in try RawSocket(port: port) }
                for socket in sockets { socket.send(Self.get) }
                // The kernel hands connections over in order: the first two are served (however
                // slow the machine), and once they have answered the other four still wait.
                for socket in sockets[0...1] { #expect(await socket.read(limit: 10).hasPrefix("HTTP/1.1 200")) }
                var served: [Bool] = []
                for socket in sockets[2...] { served.append(!(await socket.read(limit: 0.5).isEmpty)) }
                #expect(served == [false, false, false, false], "served beyond the cap: \(served)")

                // One closes: the next connection in the backlog is served, and only that one.
                sockets[0].close()
                #expect(await sockets[2].read(limit: 10).hasPrefix("HTTP/1.1 200"))
                for socket in sockets[3...] { #expect(await socket.read(limit: 0.5).isEmpty, "a second waiting connection was served for one closed") }

                // Connections opened one at a time meet the same cap.
                sockets[1].close()
                let late = try RawSocket(port: port)
                late.send(Self.get)
                #expect(await sockets[3].read(limit: 10).hasPrefix("HTTP/1.1 200"))
                #expect(await late.read(limit: 0.5).isEmpty)
            }
        }
    }

    @Test func withNoCapEveryConnectionIsServed() async throws {
        try await World.with(withProjects: false, configure: { $0.maxConnections = nil }) { world in
            try await world.serve { port in
                let sockets = try (0..<6).map { _ in try RawSocket(port: port) }
                for socket in sockets { socket.send(Self.get) }
                for socket in sockets { #expect(await socket.read(limit: 5).hasPrefix("HTTP/1.1 200")) }
            }
        }
    }
}
