import ApexBackup
import ApexDomain
import ApexStore
import Foundation
import Testing

/// L10: a manifest is read from backup storage, which an attacker may write to. A file name in
/// it is one plain name inside the backup's own folder: never `../`, a path, an absolute path or
/// NUL; and every key a target is asked for stays under its root or prefix.
@Suite("Backups: manifest names and keys")
struct ManifestNameTests {
    static let hostileNames = ["../../../outside/store.sqlite.gz", "..", ".", "a/b.gz", "/etc/passwd", "store\u{0}.gz", "", "..\\x.gz"]

    /// A backup whose manifest's file name was replaced by `name`, with the base file copied to
    /// where that name points when it escapes the backup (so a reader that follows it succeeds).
    static func poisoned(_ f: BackupFixture, name: String) async throws -> any BackupTarget {
        let source = try await f.newStoreURL("source")
        let target = try BackupTargets.open(f.destination)
        try await EventStores.withStore(url: source, logger: BackupFixture.logger) { store in
            _ = try await BackupFixture.write(3, to: store, label: "x")
        }
        let manifest = try await BaseBackup(storeURL: source, target: target, logger: BackupFixture.logger).create()
        let payload = try await target.get("base/\(manifest.id)/\(manifest.files[0].name)")
        let outside = f.folder.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try payload.write(to: outside.appendingPathComponent("store.sqlite.gz"))
        var object = try #require(try JSONSerialization.jsonObject(with: try await target.get("base/\(manifest.id)/manifest.json")) as? [String: Any])
        var files = try #require(object["files"] as? [[String: Any]])
        files[0]["name"] = name
        object["files"] = files
        try await target.put("base/\(manifest.id)/manifest.json", try JSONSerialization.data(withJSONObject: object))
        return target
    }

    @Test(arguments: hostileNames)
    func restoreDrillAndPruneRefuseAManifestNameThatLeavesTheBackup(_ name: String) async throws {
        try await BackupFixture.with(.sqlite) { f in
            let target = try await Self.poisoned(f, name: name)
            let restore = try await #require(throws: BackupError.self) {
                try await Restorer(target: target, logger: BackupFixture.logger).restore(into: try await f.newStoreURL("r"), at: .latest, force: false)
            }
            #expect(restore.code == .corrupt && restore.message.contains("file name"), "\(restore)")
            await #expect(throws: BackupError.self) { try await RestoreDrill(target: target, postgresServer: nil, logger: BackupFixture.logger).run() }
            await #expect(throws: BackupError.self) { try await Pruner(target: target, logger: BackupFixture.logger).prune(keepDays: 0, keepLast: 0) }
        }
    }

    @Test func aManifestWhoseIdIsNotItsFolderIsRefused() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let target = try await Self.poisoned(f, name: "store.sqlite.gz")
            let key = try #require(try await target.list(prefix: "base/").first { $0.hasSuffix("/manifest.json") })
            var object = try #require(try JSONSerialization.jsonObject(with: try await target.get(key)) as? [String: Any])
            object["id"] = "../../outside"
            try await target.put(key, try JSONSerialization.data(withJSONObject: object))
            let error = try await #require(throws: BackupError.self) { try await Restorer.manifests(in: target) }
            #expect(error.code == .corrupt, "\(error)")
        }
    }

    static let hostileKeys = ["../x", "base/../../x", "/etc/passwd", "base//x", "base/./x", "a\u{0}b", "", "base/x/.."]

    @Test(arguments: hostileKeys)
    func aLocalFolderRefusesAKeyOutsideItsRoot(_ key: String) async throws {
        try await BackupFixture.with(.sqlite) { f in
            let target = try LocalFolderTarget(path: f.destination)
            try Data("secret".utf8).write(to: f.folder.appendingPathComponent("x"))
            for operation in ["get", "put", "delete"] {
                let error = try await #require(throws: BackupError.self, "\(operation) \(key)") {
                    switch operation {
                    case "get": _ = try await target.get(key)
                    case "put": try await target.put(key, Data("y".utf8))
                    default: try await target.delete(key)
                    }
                }
                #expect(error.code == .invalidKey, "\(operation) \(key): \(error)")
            }
            #expect(try String(contentsOf: f.folder.appendingPathComponent("x"), encoding: .utf8) == "secret")
        }
    }

    @Test(arguments: hostileKeys)
    func anS3TargetRefusesAKeyOutsideItsPrefixBeforeSendingAnything(_ key: String) async throws {
        // Nothing listens on the discard port: a request that was sent fails with `transfer`.
        let target = try S3Target(bucket: "backups", prefix: "apex", endpoint: "http://127.0.0.1:9", region: "us-east-1",
                                  accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret")
        for operation in ["get", "put", "delete"] {
            let error = try await #require(throws: BackupError.self, "\(operation) \(key)") {
                switch operation {
                case "get": _ = try await target.get(key)
                case "put": try await target.put(key, Data("y".utf8))
                default: try await target.delete(key)
                }
            }
            #expect(error.code == .invalidKey, "\(operation) \(key): \(error)")
        }
    }
}
