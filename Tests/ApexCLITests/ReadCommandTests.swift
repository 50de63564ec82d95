import ApexDomain
import ApexStore
import ApexTestSupport
import Foundation
import Testing

/// Commands that read a store or a key never create one: run where there is no store (outside
/// the data folder, or on an empty PostgreSQL database) they say where they looked, with a
/// stable code, exit non-zero, and leave nothing behind.
@Suite("apex-cli read commands create no store and no key")
struct ReadCommandTests {
    /// An empty folder to run in, removed afterwards.
    static func withEmptyFolder(_ body: (URL) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-cli-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await body(folder.resolvingSymlinksInPath())
    }

    static func contents(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    /// The `{"error": {"code", "message"}}` that `--json` prints for a coded failure.
    static func errorCode(_ result: CLIResult) -> String? {
        ((try? CLI.object(result.stdout))?["error"] as? [String: Any])?["code"] as? String
    }

    @Test func keysOutsideTheDataFolderSaysThereIsNoKeyAndCreatesNone() async throws {
        try await Self.withEmptyFolder { folder in
            let keys = try await CLI.run(["keys"], in: folder.path)
            #expect(keys.status != 0, "\(keys)")
            #expect(keys.stdout.isEmpty, "no public key is printed: \(keys)")
            let expectedPath = folder.appendingPathComponent("apex-data/signing-key").path
            #expect(keys.stderr.contains("no_signing_key") && keys.stderr.contains(expectedPath), "\(keys)")
            let json = try await CLI.run(["keys", "--json"], in: folder.path)
            #expect(json.status != 0)
            #expect(Self.errorCode(json) == "no_signing_key", "\(json)")
            let left = try Self.contents(folder)
            #expect(left.isEmpty, "nothing was created: \(left)")
        }
    }

    /// Every command that only reads (or exports) the store, run where there is none.
    static let readers: [[String]] = {
        let project = UUID().uuidString.lowercased()
        return [
            ["events"], ["replay", "--project", project], ["history", "--project", project], ["verify"],
            ["audit", "report", "--project", project, "--format", "json", "--out", "report.json"],
            ["audit", "bundle", "--project", project, "--out", "project.apexbundle"],
            ["token", "issue", "--user", UUID().uuidString], ["checkpoint"],
            ["backup", "create", "--to", "backups"], ["backup", "ship", "--to", "backups"],
        ]
    }()

    @Test(arguments: readers)
    func aReaderWithoutAStoreSaysWhereItLookedAndCreatesNothing(arguments: [String]) async throws {
        try await Self.withEmptyFolder { folder in
            let result = try await CLI.run(arguments, in: folder.path)
            #expect(result.status != 0, "\(result)")
            let expectedPath = folder.appendingPathComponent("apex-data/apex.sqlite").path
            #expect(result.stderr.contains("store_not_found") && result.stderr.contains(expectedPath), "\(result)")
            let left = try Self.contents(folder)
            #expect(left.isEmpty, "nothing was created: \(left)")
        }
    }

    @Test func aReaderWithJSONPrintsTheCodedError() async throws {
        try await Self.withEmptyFolder { folder in
            let result = try await CLI.run(["history", "--project", UUID().uuidString, "--json"], in: folder.path)
            #expect(result.status != 0)
            #expect(Self.errorCode(result) == "store_not_found", "\(result)")
        }
    }

    @Test func anEmptyPostgreSQLDatabaseIsNoStoreAndStaysEmpty() async throws {
        try await TestPostgres.withDatabase { database in
            let url = database.url
            for arguments in [["events"], ["replay", "--project", UUID().uuidString], ["audit", "report", "--project", UUID().uuidString, "--format", "json", "--out", "/dev/null"]] {
                let result = try await CLI.run(arguments + ["--store", url], environment: ["APEX_SIGNING_KEY": Scenario.signingKey])
                #expect(result.status != 0, "\(result)")
                #expect(result.stderr.contains("store_not_found") && result.stderr.contains("holds no Apex schema"), "\(result)")
            }
            let error = await #expect(throws: EventStoreError.self, "the database holds no schema afterwards") {
                try await EventStores.requireExisting(url: url)
            }
            #expect(error?.code == .storeNotFound)
        }
    }

    /// A bundle is signed with the key that seals the store's checkpoints: with none configured
    /// or kept, the command refuses instead of signing with a key made up on the spot.
    @Test func aBundleWithoutTheSigningKeyIsRefusedAndNoKeyIsCreated() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let out = s.file("project.apexbundle")
        let result = try await CLI.run(["audit", "bundle", "--project", s.projectID.lowercased, "--out", out], environment: ["APEX_STORE_URL": s.url])
        #expect(result.status != 0, "\(result)")
        #expect(result.stderr.contains("no_signing_key") && result.stderr.contains(s.file("signing-key")), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: s.file("signing-key")))
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
