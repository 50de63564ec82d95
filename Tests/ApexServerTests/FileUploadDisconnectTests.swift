import ApexDomain
import ApexServer
import Foundation
import Testing

/// An upload whose client goes away halfway leaves no blob (not even a temporary one) and no event.
@Suite struct FileUploadDisconnectTests {
    @Test(arguments: StoreKind.allCases)
    func aDisconnectedUploadLeavesNoBlobAndNoEvent(_ kind: StoreKind) async throws {
        try await World.withFiles(kind) { world in
            let project = world.project("draft")
            let versionBefore = try await world.projectVersion(project)
            try await world.serve { port in
                let socket = try RawSocket(port: port)
                let head = "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                socket.send(
                    "POST /v1/projects/\(project.lowercased)/files HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(world.token("owner"))\r\n"
                        + "Content-Type: \(Multipart.contentType)\r\nContent-Length: 1000000\r\n\r\n" + head)
                for _ in 0..<20 { socket.send(String(repeating: "z", count: 4096)) }
                // The server is writing: its temporary blob is there.
                let writing = try await Self.eventually { !world.blobFiles().isEmpty }
                #expect(writing, "the upload never started writing")
                socket.close()
                let cleaned = try await Self.eventually { world.blobFiles().isEmpty }
                #expect(cleaned, "left behind: \(world.blobFiles())")
            }
            #expect(try await world.projectVersion(project) == versionBefore)
            #expect(try await world.fileEvents(project).isEmpty)
        }
    }

    /// Polls `condition` for up to 10 s.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}
