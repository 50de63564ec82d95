import ApexStore
import Foundation
import GRDB

extension Restorer {
    /// Clears the way for restoring into the SQLite file at `path`.
    ///
    /// Without `force`, only an absent file or a provably empty store is replaced: one that
    /// opens as SQLite and whose tables hold no rows (migration bookkeeping aside). A file that
    /// does not open as SQLite (text, a damaged store that may still hold evidence) or that holds
    /// data is refused, with the way to go on. A folder is never removed, even with `force`.
    static func prepareSQLite(path: String, force: Bool) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw BackupError(.refused, "\(path) is a folder; restore into a file path such as \(path)/apex.sqlite")
        }
        if !force { try refuseUnlessEmpty(path) }
        for file in [path, path + "-wal", path + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
    }

    private static func refuseUnlessEmpty(_ path: String) throws {
        let advice = "restore into a new path or an empty store, or pass --force to replace it"
        guard FileManager.default.fileExists(atPath: path) else {
            if let wal = try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int, wal > 0 {
                throw BackupError(.refused, "\(path) is absent but \(path)-wal holds \(wal) bytes of a store's log; \(advice)")
            }
            return
        }
        let rows: [(table: String, rows: Int)]
        do {
            // Read-only: opening read-write would run WAL recovery and checkpoint the WAL into a
            // damaged file, changing the very evidence this refuses to replace.
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            rows = try queue.read { db in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                // A full-text (FTS5) table counts by its documents; its shadow tables hold rows as
                // soon as it exists (the search index creates its table on first use): structure,
                // not content.
                let fullText = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'")
                let shadow = { (table: String) in fullText.contains { table.hasPrefix($0 + "_") } }
                return try tables.filter { !bookkeeping.contains($0) && !shadow($0) }.map { table in
                    (table, try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0)
                }
            }
        } catch {
            throw BackupError(.refused, "\(path) is not an Apex store (it does not open as an SQLite database) and may hold something of value; \(advice)")
        }
        if let events = rows.first(where: { $0.table == "events" }), events.rows > 0 {
            throw BackupError(.refused, "the store at \(path) holds \(events.rows) events; \(advice)")
        }
        if let full = rows.first(where: { $0.rows > 0 }) {
            throw BackupError(.refused, "\(path) is not an empty Apex store (its table \(full.table) holds \(full.rows) rows); \(advice)")
        }
    }

    /// Tables that record how a store was set up, not what it holds.
    private static let bookkeeping: Set<String> = ["grdb_migrations", "projection_positions", "consumer_positions"]
}
