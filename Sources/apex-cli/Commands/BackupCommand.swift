import ApexBackup
import ApexCommandLine
import ApexDomain
import ApexFiles
import ApexStore
import ArgumentParser
import Foundation
import Logging

/// `apex-cli backup`: base backups, log shipping, point-in-time restore, restore drills, retention.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Back up, ship, restore, drill and prune.",
        discussion: "DEST is a folder or s3://bucket/prefix (endpoint, region and credentials from AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).",
        subcommands: [Create.self, Ship.self, Restore.self, Verify.self, Prune.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a consistent online base backup (SQLite online backup API, or pg_dump -Fc).",
            discussion: "Repeat --to to write the same backup to several destinations at once; each one's outcome is reported, and the exit status is 1 if any failed.")
        @Option(help: "Destination folder or s3:// URL (repeat for several).") var to: [String] = []
        @OptionGroup var store: StoreOption
        @Option(help: BackupCLI.blobURLHelp) var blobUrl: String?
        @Flag(help: "Print the manifest and each destination's outcome as JSON.") var json = false

        func validate() throws { try BackupCLI.validate(destinations: to) }

        func run() async throws {
            let url = try Settings().storeURL(store.url)
            let logger = makeLogger(level: .warning)
            try await EventStores.requireExisting(url: url, logger: logger)
            let targets = try to.map(BackupCLI.target)
            var backup = BaseBackup(storeURL: url, targets: targets, logger: logger)
            backup.blobs = try BackupCLI.blobs(blobUrl, storeURL: url)
            let result = try await BackupCLI.run { [backup] in try await backup.createAtEveryTarget() }
            let manifest = result.manifest
            if json { try Output.json(result) } else {
                for (given, outcome) in zip(to, result.destinations) {
                    switch outcome.result {
                    case .success:
                        print("backup \(manifest.id): \(manifest.lastPosition) events, \(manifest.chainHeads.count) streams, \(manifest.blobs ?? 0) file blobs → \(given)")
                    case .failure(let error): print("backup \(manifest.id) FAILED → \(given): \(error)")
                    }
                }
            }
            for lost in result.blobsLost { FileHandle.standardError.write(Data("apex-cli backup create: \(lost)\n".utf8)) }
            try BackupCLI.exitIfAnyFailed(result.destinations, command: "backup create")
            if !result.blobsLost.isEmpty { throw ExitCode(1) }
        }
    }

    struct Ship: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ship the events after the last shipped position as verifiable segments.",
            discussion: "Repeat --to to ship to several destinations at once, each from its own last segment; each one's outcome is reported, and the exit status is 1 if any failed.")
        @Option(help: "Destination folder or s3:// URL (repeat for several).") var to: [String] = []
        @Option(help: "Keep shipping every N seconds (omit to ship once).") var every: Int?
        @OptionGroup var store: StoreOption
        @Option(help: BackupCLI.blobURLHelp) var blobUrl: String?
        @Flag(help: "Print each destination's shipped segments as JSON.") var json = false

        func validate() throws { try BackupCLI.validate(destinations: to) }

        func run() async throws {
            let url = try Settings().storeURL(store.url)
            let logger = makeLogger(level: every == nil ? .warning : .info)
            try await EventStores.requireExisting(url: url, logger: logger)
            let targets = try to.map(BackupCLI.target)
            let blobs = try BackupCLI.blobs(blobUrl, storeURL: url)
            let outcomes = try await BackupCLI.run {
                try await EventStores.withStore(url: url, logger: logger) { store -> [Delivery<[SegmentInfo]>] in
                    guard let every else { return await LogShipper.shipOnce(from: store, to: targets, logger: logger, blobs: blobs) }
                    while !Task.isCancelled {
                        for outcome in await LogShipper.shipOnce(from: store, to: targets, logger: logger, blobs: blobs) {
                            if case .failure(let error) = outcome.result {
                                logger.error("log shipping failed", metadata: ["backup.destination": "\(outcome.destination)", "error": "\(error)"])
                            }
                        }
                        try await Task.sleep(for: .seconds(max(1, every)))
                    }
                    return []
                }
            }
            if json { try Output.json(ShipReport(destinations: outcomes)) } else {
                for (given, outcome) in zip(to, outcomes) {
                    switch outcome.result {
                    case .success(let shipped): print("shipped \(shipped.count) segments (\(shipped.reduce(0) { $0 + $1.count }) events) → \(given)")
                    case .failure(let error): print("shipping FAILED → \(given): \(error)")
                    }
                }
            }
            try BackupCLI.exitIfAnyFailed(outcomes, command: "backup ship")
        }

        /// `backup ship --json`: every destination's outcome and shipped segments.
        struct ShipReport: Encodable {
            var destinations: [Delivery<[SegmentInfo]>]
            var ok: Bool { destinations.allSatisfy(\.ok) }
            enum CodingKeys: String, CodingKey { case ok, destinations }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(ok, forKey: .ok)
                try container.encode(destinations, forKey: .destinations)
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restore a base backup plus segments, optionally to a point in time.")
        @Option(help: "Backup folder or s3:// URL.") var from: String
        @Option(help: "Restore the events recorded at or before this ISO 8601 time.") var atTime: String?
        @Option(help: "Restore the events up to this global position.") var atPosition: Int64?
        @Option(help: "Store URL to restore into (env APEX_STORE_URL).") var store: String?
        @Option(help: "Where to restore the file blobs: file:PATH (env APEX_BLOB_URL; default blobs/ beside an SQLite store).") var blobUrl: String?
        @Flag(help: "Replace a store that already holds events.") var force = false
        @Flag(help: "Print the result as JSON.") var json = false

        func validate() throws {
            if atTime != nil && atPosition != nil { throw ValidationError("give --at-time or --at-position, not both") }
        }

        func run() async throws {
            let url = try Settings().storeURL(store)
            var point = RestorePoint.latest
            if let atTime {
                guard let t = Timestamp.parse(atTime) else { throw CLIError("--at-time must be an ISO 8601 time such as 2026-01-27T10:00:00Z") }
                point = .time(t)
            }
            if let atPosition { point = .position(atPosition) }
            let result = try await BackupCLI.run {
                var restorer = Restorer(target: try BackupTargets.open(from), logger: makeLogger(level: .warning))
                restorer.blobs = try BackupCLI.blobs(blobUrl, storeURL: url)
                return try await restorer.restore(into: url, at: point, force: force)
            }
            if json { try Output.json(result) } else {
                print("restored \(result.restoredPosition) events (base \(result.baseID) + \(result.segmentsApplied) segments) and \(result.blobsRestored ?? 0) file blobs in \(String(format: "%.2f", result.seconds)) s")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restore drill: restore into a scratch store, verify, replay, compare; exit 1 on any mismatch.")
        @Option(help: "Backup folder or s3:// URL.") var from: String
        @Option(help: "For PostgreSQL backups: a server (postgres:// URL) to create the scratch database on.") var store: String?
        @Option(help: "Also write the JSON report to this file.") var report: String?
        @Flag(help: "Print the report as JSON.") var json = false

        func run() async throws {
            var server: StoreURL.PostgresLocation?
            if let store, case .postgres(let location) = try StoreURL(store) { server = location }
            let result = try await BackupCLI.run {
                try await RestoreDrill(target: try BackupTargets.open(from), postgresServer: server, logger: makeLogger(level: .warning)).run()
            }
            let encoded = try CanonicalJSON.value(of: result)
            if let report { try PrivateFiles.write(Data(CanonicalJSON.bytes(encoded)), to: URL(fileURLWithPath: report)) }
            if json { Output.json(encoded) } else {
                for check in result.checks { print("\(check.ok ? "ok  " : "FAIL") \(check.name): \(check.detail)") }
                print(result.ok ? "drill passed (RTO \(String(format: "%.2f", result.restoreSeconds ?? 0)) s)" : "drill FAILED")
            }
            if !result.ok { throw ExitCode(1) }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete old backups and the segments no kept backup needs.")
        @Option(help: "Backup folder or s3:// URL.") var at: String
        @Option(help: "Keep backups younger than this many days.") var keepDays: Int = 30
        @Option(help: "Always keep the newest N backups.") var keepLast: Int = 1
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            let result = try await BackupCLI.run {
                try await Pruner(target: try BackupTargets.open(at), logger: makeLogger(level: .warning)).prune(keepDays: keepDays, keepLast: keepLast)
            }
            if json { try Output.json(result) } else {
                print("kept \(result.keptBackups.count) backups, deleted \(result.deletedBackups.count) backups and \(result.deletedSegments.count) segments")
            }
        }
    }
}

/// Maps backup and store errors to one-line CLI errors.
enum BackupCLI {
    static let blobURLHelp: ArgumentHelp = "Where the file blobs are: file:PATH (env APEX_BLOB_URL; default blobs/ beside an SQLite store; without one on PostgreSQL, events only)."

    /// The blobs of the store at `storeURL`: `given`, else `APEX_BLOB_URL`, else `blobs/` beside
    /// an SQLite database; nil on PostgreSQL without either (events only, said on standard error).
    static func blobs(_ given: String?, storeURL: String) throws -> BackupBlobs? {
        guard let url = BlobURL.resolved(try given ?? Settings().value("APEX_BLOB_URL"), storeURL: storeURL) else {
            FileHandle.standardError.write(Data("apex-cli backup: no blob store given (--blob-url or APEX_BLOB_URL): file blobs are not carried\n".utf8))
            return nil
        }
        do { return BackupBlobs(try BlobStores.open(url)) } catch { throw CLIError("\(error)") }
    }

    static func target(_ destination: String) throws -> any BackupTarget {
        do { return try BackupTargets.open(destination) } catch let error as BackupError { throw CLIError(error.description) }
    }

    /// At least one `--to`, none twice.
    static func validate(destinations: [String]) throws {
        guard !destinations.isEmpty else { throw ValidationError("give a destination: --to FOLDER or --to s3://bucket/prefix (repeat for several)") }
        guard Set(destinations).count == destinations.count else { throw ValidationError("each --to destination once") }
    }

    /// Exit status 1, with a line on standard error, when any destination failed (after every outcome was printed).
    static func exitIfAnyFailed<Value>(_ outcomes: [Delivery<Value>], command: String) throws {
        let failed = outcomes.filter { !$0.ok }.count
        guard failed > 0 else { return }
        FileHandle.standardError.write(Data("apex-cli \(command): \(failed) of \(outcomes.count) destinations failed\n".utf8))
        throw ExitCode(1)
    }

    static func run<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as BackupError {
            throw CLIError(error.description)
        } catch let error as EventStoreError {
            throw CLIError(error.description)
        }
    }
}
