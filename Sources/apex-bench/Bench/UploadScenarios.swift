import ApexCommandLine
import ApexDomain
import ApexServer
import ApexStore
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// `upload`: file uploads through the real server on loopback (multipart `POST
/// /v1/projects/{id}/files`, streamed: hashed, written to the blob folder, fsynced, recorded as an
/// event) against writing the same bytes to a file and fsyncing it, in MiB/s. Each side's peak
/// RSS is reported: an upload must not hold more than a few MiB whatever its size (1 GiB a file,
/// 4 MiB with `--quick`).
enum UploadScenarios {
    static func run(_ kind: StoreKind, context: BenchContext, report: (ScenarioResult) -> Void) async throws {
        let size = context.quick ? 4 << 20 : 1 << 30
        try await BenchHarness.with(kind, context: context) { h in
            var rng = SeededGenerator(seed: context.seed, scenario: "upload", worker: 0)
            let (account, owner) = try await HTTPScenarios.createAccount(h.store, rng: &rng)
            let project = UUID()
            let drafts = try ProjectDecider.decide(
                .create(projectID: project, fields: ProjectFields(name: "Upload bench")), state: ProjectState(), context: DecisionContext(now: Date()))
            _ = try await h.store.append(
                drafts.map { $0.proposed(id: UUID(), accountID: account, actor: .user(owner)) }, to: .project(project), expected: .noStream)

            let folder = URL(fileURLWithPath: context.workDirectory).appendingPathComponent("apex-bench-upload-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            var configuration = ServerConfiguration()
            configuration.storeURL = h.url
            configuration.host = "127.0.0.1"
            configuration.port = 0
            configuration.rateLimits = .off
            configuration.blobURL = "file:" + folder.appendingPathComponent("blobs").path
            configuration.maxUploadBytes = Int64(size) + (1 << 20)
            configuration.jwtSecret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            let token = try await TokenService(secret: configuration.jwtSecret).issue(user: owner, account: account)
            let passes = context.quick ? 2 : 3
            var uploads = 0
            var writes = 0
            try await HTTPScenarios.withServer(configuration, logger: context.logger) { port in
                let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
                let measured: (raw: SideReport, apex: SideReport)
                do {
                    measured = try await Comparison.measure(
                    rounds: context.rounds,
                    raw: {
                        try await ClosedLoop.passes(minimum: .zero, maxPasses: passes) {
                            writes += 1
                            try Self.writeFile(folder.appendingPathComponent("raw-\(writes)"), size: size, seed: writes)
                            return size >> 20
                        }
                    },
                    apex: {
                        try await ClosedLoop.passes(minimum: .zero, maxPasses: passes) {
                            uploads += 1
                            try await Self.upload(http: http, port: port, project: project, token: token, size: size, seed: 1_000 + uploads)
                            return size >> 20
                        }
                    })
                    try await http.shutdown()
                } catch {
                    try? await http.shutdown()
                    throw error
                }
                let (raw, apex) = measured
                var result = ScenarioResult(
                    id: "upload", title: "upload \(size >> 20) MiB files", store: kind, concurrency: 1,
                    workload: "multipart POST …/files through the server (hash, blob write, fsync, event) vs write + fsync of the same bytes; MiB/s",
                    apex: apex, raw: raw, minRatio: nil)
                result.baseline = "file write + fsync"
                result.extra["apex_peak_rss_mb"] = apex.memory.peakMB
                result.extra["upload_mib"] = Double(size >> 20)
                report(result)
            }
        }
    }

    /// One pseudo-random MiB per seed, repeated: distinct files without generating gigabytes.
    static func chunk(seed: Int) -> ByteBuffer {
        var rng = SeededGenerator(seed: UInt64(seed), scenario: "upload-bytes", worker: 0)
        return ByteBuffer(bytes: (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    /// Writes `size` bytes to `url` a MiB at a time and fsyncs it.
    static func writeFile(_ url: URL, size: Int, seed: Int) throws {
        let block = Data(chunk(seed: seed).readableBytesView)
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        for _ in 0..<(size >> 20) { try handle.write(contentsOf: block) }
        try handle.synchronize()
    }

    /// POSTs a `size`-byte file as multipart/form-data, streamed a MiB at a time.
    static func upload(http: HTTPClient, port: Int, project: UUID, token: String, size: Int, seed: Int) async throws {
        let boundary = "apex-bench-\(seed)"
        let head = ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"drawing-\(seed).bin\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n")
        let tail = ByteBuffer(string: "\r\n--\(boundary)--\r\n")
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/projects/\(project.lowercased)/files")
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(token)")
        request.headers.add(name: "content-type", value: "multipart/form-data; boundary=\(boundary)")
        let body = MultipartBody(head: head, block: chunk(seed: seed), blocks: size >> 20, tail: tail)
        request.body = .stream(body, length: .known(Int64(head.readableBytes + size + tail.readableBytes)))
        let response = try await http.execute(request, timeout: .seconds(600))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code == 201 else { throw CLIError("the upload answered \(response.status.code)") }
    }

    /// The multipart body: its head, `blocks` copies of one MiB, its tail; each made when asked for.
    struct MultipartBody: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let head: ByteBuffer
        let block: ByteBuffer
        let blocks: Int
        let tail: ByteBuffer

        func makeAsyncIterator() -> Iterator { Iterator(body: self) }

        struct Iterator: AsyncIteratorProtocol {
            let body: MultipartBody
            var index = -1

            mutating func next() async -> ByteBuffer? {
                defer { index += 1 }
                switch index {
                case -1: return body.head
                case 0..<body.blocks: return body.block
                case body.blocks: return body.tail
                default: return nil
                }
            }
        }
    }
}
