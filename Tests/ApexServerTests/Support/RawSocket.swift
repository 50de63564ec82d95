import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain TCP connection to the server under test, for what an HTTP client library hides:
/// half-sent requests, idle sockets, and telling when the server closed the connection.
///
/// Waiting reads block a thread of their own: on Swift's few cooperative threads, which also run
/// the server under test, two waiting at once starved it (no answer until they gave up).
/// Used by one task at a time.
final class RawSocket: @unchecked Sendable {
    private var fd: Int32

    /// Connects to 127.0.0.1:`port`.
    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawSocketError("socket() failed: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw RawSocketError("connect() failed: \(errno)")
        }
    }

    deinit { close() }

    /// Closes the connection from this side (once; later calls do nothing).
    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    /// Sends `text` as is; false once the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Reads until the server closes the connection or `limit` passes; the seconds it took to
    /// close, or nil when it was still open at `limit`. Bytes the server sends are read and dropped.
    func secondsUntilClosed(limit: Double) async -> Double? {
        await Self.onOwnThread { self.blockingSecondsUntilClosed(limit: limit) }
    }

    /// Reads what the server sends within `limit` seconds (stops at the first pause after some bytes).
    func read(limit: Double) async -> String {
        await Self.onOwnThread { self.blockingRead(limit: limit) }
    }

    private static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in Thread { continuation.resume(returning: work()) }.start() }
    }

    private func blockingSecondsUntilClosed(limit: Double) -> Double? {
        let start = Date()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let left = limit - Date().timeIntervalSince(start)
            if left <= 0 { return nil }
            var timeout = timeval(tv_sec: Int(left), tv_usec: .init((left - left.rounded(.down)) * 1_000_000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { return Date().timeIntervalSince(start) }
        }
    }

    private func blockingRead(limit: Double) -> String {
        var timeout = timeval(tv_sec: Int(limit), tv_usec: .init((limit - limit.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
    }
}

struct RawSocketError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
