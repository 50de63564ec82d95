import ApexBackup
import ApexCommandLine
import ApexDomain
import ApexFiles
import ApexServer
import ApexStore
import ArgumentParser
import Foundation
import Logging

/// `apex-cli verify`: recompute every hash chain and checkpoint of a store, offline.
/// Exit 0 when intact, 1 when tampering or corruption is found (or a persisted snapshot differs
/// from the replay), 2 when it could not run.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Verify a store: hash chains, gap-free versions, checkpoints, and every stream's replay.")

    @OptionGroup var store: StoreOption
    @Option(help: "Trust only checkpoints signed by this public key (base64; see apex-cli keys).") var publicKey: String?
    @Flag(help: "Also read every file blob the log names and check it hashes to what its event recorded.") var blobs = false
    @Option(help: "Where the blobs are, with --blobs: file:PATH (env APEX_BLOB_URL; default blobs/ beside an SQLite store).") var blobUrl: String?
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        let settings = Settings()
        let logger = makeLogger(level: .warning)
        let start = Date()
        let report: VerifyReport
        do {
            let url = try settings.storeURL(store.url)
            let quiet = json
            let replayer = DomainReplay()
            let blobStore = try blobs ? Self.blobStore(blobUrl ?? settings.value("APEX_BLOB_URL"), storeURL: url) : nil
            report = try await EventStores.withExistingStore(url: url, logger: logger) { store in
                let log = try await store.verify(options: VerifyOptions(trustedPublicKey: publicKey, inspect: replayer.inspect)) { checked in
                    let rate = Double(checked) / max(Date().timeIntervalSince(start), 0.001)
                    Output.progress("verified \(checked) events (\(Int(rate)) events/s)", quiet: quiet)
                }
                guard let blobStore else { return log }
                let audit = try await BlobAudit.run(store, blobs: blobStore) { checked in
                    Output.progress("checked \(checked) blobs", quiet: quiet)
                }
                return log.adding(audit)
            }
            Output.endProgress(quiet: quiet)
        } catch {
            FileHandle.standardError.write(Data("apex-cli verify: could not run: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if json {
            try Output.json(report)
        } else {
            print(Self.describe(report))
        }
        if !report.ok { throw ExitCode(1) }
    }

    /// The blob store `--blobs` reads: the given URL, else `blobs/` beside an SQLite store.
    static func blobStore(_ given: String?, storeURL: String) throws -> any BlobStore {
        guard let url = BlobURL.resolved(given, storeURL: storeURL) else {
            throw CLIError("--blobs needs the blob folder of a PostgreSQL store: --blob-url file:PATH or APEX_BLOB_URL")
        }
        return try BlobStores.open(url)
    }

    /// The report for a person: one line when intact; otherwise the first failure, the counts,
    /// and every failure the report lists, one a line.
    static func describe(_ report: VerifyReport) -> String {
        let checked = "\(report.eventsChecked) events in \(report.streamsChecked) streams, \(report.checkpointsChecked) checkpoints"
        guard let first = report.firstFailure else { return "intact: \(checked) verified" }
        // Only snapshots differ (the listed failures, when all are counted): the log itself verified.
        let onlySnapshots = report.failures.allSatisfy(\.isSnapshotFailure) && report.failureCount == Int64(report.failures.count)
        var lines = [
            onlySnapshots ? "SNAPSHOTS DIFFER FROM THE LOG (the log verified): \(first)" : "TAMPERED OR CORRUPT: \(first)",
            "\(report.failureCount) failures (\(report.streamsFailed) streams, \(report.checkpointsFailed) checkpoints) in \(checked) checked:",
        ]
        lines += report.failures.map { "  \($0)" }
        let unlisted = report.failureCount - Int64(report.failures.count)
        if unlisted > 0 { lines.append("  … and \(unlisted) more (counted, not listed)") }
        if report.failures.contains(where: \.isSnapshotFailure) {
            lines.append("snapshots are a cache: `apex-cli snapshots drop` deletes them, and servers rebuild them from the log")
        }
        return lines.joined(separator: "\n")
    }
}
