import ApexCommandLine
import ApexDomain
import ApexExport
import ApexStore
import Foundation
import Logging

/// What both export commands share: the store, the output file, the account's users, the summary.
enum ExportRun {
    /// Opens the store, creates `out` (owner-only permissions, replaced if it exists) and runs
    /// `body` with the store, a lookup of an account's users and the file as a sink; removes
    /// the file when `body` fails.
    static func run(
        store url: String?, out: String, quiet: Bool,
        _ body: (any EventStore, (UUID) async throws -> [UUID: AccountUser], inout FileSink) async throws -> Int64
    ) async throws -> Int64 {
        let settings = Settings()
        let url = try settings.storeURL(url)
        let target = URL(fileURLWithPath: out)
        var sink = try FileSink(target, quiet: quiet)
        defer { try? sink.handle.close() }
        let count: Int64
        do {
            count = try await EventStores.withExistingStore(url: url, logger: makeLogger(level: .warning)) { store in
                try await body(store, { account in try AccountState.replay(try await store.readStream(.account(account), from: 1, limit: .max, mode: .opened)).users }, &sink)
            }
        } catch {
            // No half-written export is left behind.
            try? FileManager.default.removeItem(at: target)
            Output.endProgress(quiet: quiet)
            throw error
        }
        Output.endProgress(quiet: quiet)
        return count
    }

    /// The closing line, or the JSON summary with `--json`.
    static func report(out: String, format: ExportFormat, what: String, count: Int64, quiet json: Bool) {
        let path = URL(fileURLWithPath: out).path
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        if json {
            Output.json(["out": .string(path), "format": .string(format.rawValue), "rows": .number(Double(count)), "bytes": .number(Double(size))])
        } else {
            print("wrote \(path): \(format.rawValue) export of \(what), \(size) bytes")
        }
    }
}

/// The output file, created with owner-only permissions; progress (bytes written) on a terminal.
struct FileSink: ExportSink {
    let handle: FileHandle
    let quiet: Bool
    var written: Int64 = 0
    let started = Date()

    init(_ url: URL, quiet: Bool) throws {
        do {
            try PrivateFiles.write(Data(), to: url)
            handle = try FileHandle(forWritingTo: url)
        } catch {
            throw CLIError("cannot write \(url.path): \(error.localizedDescription)")
        }
        self.quiet = quiet
    }

    mutating func write(_ bytes: [UInt8]) async throws {
        try handle.write(contentsOf: bytes)
        written += Int64(bytes.count)
        let rate = Double(written) / 1_048_576 / max(Date().timeIntervalSince(started), 0.001)
        Output.progress("exported \(written / 1024) KiB (\(String(format: "%.1f", rate)) MiB/s)", quiet: quiet)
    }
}
