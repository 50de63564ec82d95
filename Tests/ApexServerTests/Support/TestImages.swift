import ApexDomain
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// Real images made in the test: a PNG encoded here (stored deflate blocks, CRC-32, Adler-32),
/// so the thumbnail tools read a file they did not write.
enum TestPNG {
    /// An RGB gradient of `width` × `height` pixels.
    static func make(width: Int, height: Int) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity((width * 3 + 1) * height)
        for y in 0..<height {
            raw.append(0)  // filter: none
            for x in 0..<width { raw += [UInt8(x * 255 / max(1, width - 1)), UInt8(y * 255 / max(1, height - 1)), 128] }
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65_535, raw.count - offset)
            let last: UInt8 = offset + n == raw.count ? 1 : 0
            zlib += [last, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + n)]
            offset += n
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        zlib += be32(b << 16 | a)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [8, 2, 0, 0, 0])
        png += chunk("IDAT", zlib)
        png += chunk("IEND", [])
        return png
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(UInt32(data.count)) + body + be32(crc32(body))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Width and height from a PNG's header, or nil when `bytes` are not a PNG.
    static func size(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard bytes.count >= 24, Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], Array(bytes[12..<16]) == Array("IHDR".utf8) else {
            return nil
        }
        func int(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (int(16), int(20))
    }
}

extension TestClientProtocol {
    /// Uploads `bytes` as a new file of `project` named `filename` of media type `type`, or a new revision of `file`.
    func upload(_ project: UUID, bytes: [UInt8], filename: String, type: String, as token: String, file: UUID? = nil) async throws -> Reply {
        let path = "/v1/projects/\(project.lowercased)/files" + (file.map { "/\($0.lowercased)/revisions" } ?? "")
        var body = ByteBuffer(string: "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n")
        body.writeBytes(bytes)
        body.writeString("\r\n--\(Multipart.boundary)--\r\n")
        let response = try await executeRequest(
            uri: path, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: Multipart.contentType], body: body)
        let data = Data(response.body.readableBytesView)
        return Reply(status: response.status, headers: response.headers, text: String(decoding: data, as: UTF8.self), json: (try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .null)
    }

    /// GETs `uri` and answers the status, headers and raw bytes.
    func bytes(_ uri: String, as token: String) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, bytes: [UInt8]) {
        let response = try await executeRequest(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"], body: nil)
        return (response.status, response.headers, Array(response.body.readableBytesView))
    }
}
