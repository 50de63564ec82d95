import CompressNIO
import Foundation
import NIOCore

/// gzip through CompressNIO (zlib).
enum Gzip {
    static func compress(_ data: Data) throws -> Data {
        var input = ByteBuffer(bytes: data)
        let output = try input.compress(with: .gzip())
        return Data(output.readableBytesView)
    }

    static func decompress(_ data: Data) throws -> Data {
        var input = ByteBuffer(bytes: data)
        do {
            let output = try input.decompress(with: .gzip())
            return Data(output.readableBytesView)
        } catch {
            throw BackupError(.corrupt, "a compressed backup file does not decompress")
        }
    }
}
