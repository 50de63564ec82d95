import ApexChildProcess
import ApexDomain
import ApexStore
import Foundation
import Logging
import PostgresNIO

/// `pg_dump -Fc` of an Apex database inside an exported snapshot, and `pg_restore` back.
struct PostgresDump {
    let location: StoreURL.PostgresLocation
    let logger: Logger

    /// Dumps to `path` and returns the manifest read in the same snapshot.
    func dump(to path: String, id: String, now: Date) async throws -> BackupManifest {
        let client = PostgresClient(configuration: EventStores.postgresConfiguration(location), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await client.withConnection { conn in
                try await conn.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                do {
                var snapshot = ""
                for try await s in try await conn.query("SELECT pg_export_snapshot()", logger: logger).decode(String.self) { snapshot = s }
                var heads: [String: BackupManifest.Head] = [:]
                for try await (s, v, h) in try await conn.query("SELECT stream_id, version, hash FROM streams", logger: logger).decode((String, Int64, String).self) {
                    heads[s] = .init(version: v, hash: h)
                }
                var last: Int64 = 0
                for try await p in try await conn.query("SELECT position FROM store_head WHERE id = 1", logger: logger).decode(Int64.self) { last = p }
                var lastRecorded: Date?
                for try await t in try await conn.query(
                    "SELECT to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM events WHERE position = \(last)", logger: logger
                ).decode(String.self) { lastRecorded = Timestamp.parse(t) }
                var checkpoint: BackupManifest.LatestCheckpoint?
                for try await (p, d) in try await conn.query("SELECT position, digest FROM checkpoints ORDER BY position DESC LIMIT 1", logger: logger).decode((Int64, String).self) {
                    checkpoint = .init(position: p, digest: d)
                }
                var schema = 0
                for try await v in try await conn.query("SELECT max(version) FROM apex_schema", logger: logger).decode(Int?.self) { schema = v ?? 0 }
                try await run("pg_dump", ["-Fc", "--no-owner", "--snapshot=\(snapshot)", "-f", path] + connectionArguments())
                try await conn.query("COMMIT", logger: logger)
                return BackupManifest(
                    id: id, storeKind: "postgres", schemaVersion: schema, lastPosition: last, lastRecordedAt: lastRecorded, chainHeads: heads,
                    latestCheckpoint: checkpoint, files: [], createdAt: now, apexVersion: apexVersion)
                } catch {
                    _ = try? await conn.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    /// Restores a dump into the (empty) database.
    func restore(from path: String) async throws {
        try await run("pg_restore", ["--no-owner", "--exit-on-error", "-d", location.database] + connectionArguments(includeDatabase: false) + [path])
    }

    func connectionArguments(includeDatabase: Bool = true) -> [String] {
        var args = ["-h", location.socketDirectory ?? location.host, "-p", String(location.port), "-U", location.user]
        if includeDatabase { args += ["-d", location.database] }
        return args
    }

    /// Runs a PostgreSQL client tool, its password in the environment (never in the arguments,
    /// which other users can see), and fails with the first line it wrote to standard error.
    func run(_ tool: String, _ arguments: [String]) async throws {
        guard let executable = Self.find(tool) else {
            throw BackupError(.toolMissing, "\(tool) is not installed: install the PostgreSQL 15 client (apt-get install postgresql-client-15)")
        }
        let outcome: ChildProcess.Outcome
        do {
            outcome = try await ChildProcess.run(executable, arguments, adding: location.password.map { ["PGPASSWORD": $0] } ?? [:])
        } catch {
            throw BackupError(.transfer, "\(tool) could not be run: \(error)")
        }
        guard outcome.status == 0 else {
            let text = outcome.errors.split(separator: "\n").first.map(String.init) ?? ""
            throw BackupError(.transfer, "\(tool) failed (exit \(outcome.status)): \(text)")
        }
    }

    static func find(_ tool: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/lib/postgresql/15/bin", "/usr/bin"]
        return dirs.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
