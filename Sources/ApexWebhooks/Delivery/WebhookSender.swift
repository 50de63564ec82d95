import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Posts one message attempt to a checked address: no redirects followed, the whole attempt
/// (answer body included) within the timeout, the first 4 KiB of the answer kept.
struct WebhookSender: Sendable {
    let client: HTTPClient
    let timeout: Duration

    /// A sender connecting to `target`'s checked address whatever DNS says later (TLS still
    /// verifies the URL's host name).
    static func make(for target: URLGuard.Target, timeout: Duration) -> WebhookSender {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .init(timeout), read: .init(timeout)))
        if target.host != target.address { configuration.dnsOverride = [target.host: target.address] }
        configuration.decompression = .disabled
        return WebhookSender(client: HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration), timeout: timeout)
    }

    func shutdown() async { try? await client.shutdown() }

    /// What an attempt got back.
    struct Answer: Sendable {
        var status: Int
        var retryAfter: Duration?
        var body: String
    }

    /// Posts `body` with `headers` to `url`.
    func post(url: String, headers signed: SignedHeaders, body: String) async throws -> Answer {
        let timeout = self.timeout
        let client = self.client
        return try await withThrowingTaskGroup(of: Answer?.self) { group in
            group.addTask {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "content-type", value: "application/json")
                request.headers.add(name: "user-agent", value: "Apex-Webhooks/1")
                request.headers.add(name: "webhook-id", value: signed.id)
                request.headers.add(name: "webhook-timestamp", value: String(signed.timestamp))
                request.headers.add(name: "webhook-signature", value: signed.signature)
                request.body = .bytes(ByteBuffer(string: body))
                let response = try await client.execute(request, deadline: .now() + .init(timeout))
                var kept = ByteBuffer()
                for try await chunk in response.body {
                    var chunk = chunk
                    let room = 4096 - kept.readableBytes
                    if room > 0, let bytes = chunk.readSlice(length: min(room, chunk.readableBytes)) { kept.writeImmutableBuffer(bytes) }
                    if kept.readableBytes >= 4096 { break }
                }
                let retryAfter = response.headers.first(name: "retry-after").flatMap { RetryAfter.parse($0) }
                return Answer(status: Int(response.status.code), retryAfter: retryAfter, body: String(decoding: kept.readableBytesView, as: UTF8.self))
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let answer = first else { throw AttemptTimedOut() }
            return answer
        }
    }

    /// The attempt took longer than the timeout.
    struct AttemptTimedOut: Error, CustomStringConvertible {
        var description: String { "timed out" }
    }
}
