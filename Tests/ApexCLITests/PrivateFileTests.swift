import ApexDomain
import Foundation
import Testing

/// L9: what the CLI writes (the data folder, the store, bundles, reports, drill reports) is
/// readable by its owner only, under the usual umask 022.
@Suite("apex-cli writes owner-only files")
struct PrivateFileTests {
    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func theDataFolderStoreBundleAndReportsAreOwnerOnly() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        #expect(try Self.mode(s.path) == 0o600, "the store")
        let bundle = s.file("project.apexbundle")
        #expect(try await s.cli("audit", "bundle", "--project", s.projectID.lowercased, "--out", bundle).status == 0)
        #expect(try Self.mode(bundle) == 0o600, "the bundle")
        for format in ["csv", "json", "html"] {
            let out = s.file("report.\(format)")
            #expect(try await s.cli("audit", "report", "--project", s.projectID.lowercased, "--format", format, "--out", out).status == 0)
            #expect(try Self.mode(out) == 0o600, "the \(format) report")
        }
        let backups = s.file("backups")
        #expect(try await s.cli("backup", "create", "--to", backups).status == 0)
        #expect(try Self.mode(backups) == 0o700)
        let report = s.file("drill.json")
        let drill = try await s.cli("backup", "verify", "--from", backups, "--report", report)
        #expect(drill.status == 0, "\(drill)")
        #expect(try Self.mode(report) == 0o600, "the drill report")

        // A data folder the CLI creates itself (the default layout: store, keys, secrets).
        let fresh = s.folder.appendingPathComponent("fresh/apex-data")
        let created = try await CLI.run(
            ["account", "create", "--name", "Acme", "--owner-email", "a@example.com", "--owner-name", "A", "--json"],
            environment: ["APEX_STORE_URL": "sqlite:" + fresh.appendingPathComponent("apex.sqlite").path])
        #expect(created.status == 0, "\(created)")
        #expect(try Self.mode(fresh.path) == 0o700)
        #expect(try Self.mode(fresh.deletingLastPathComponent().path) == 0o700)
        for file in try FileManager.default.contentsOfDirectory(atPath: fresh.path) {
            #expect(try Self.mode(fresh.appendingPathComponent(file).path) == 0o600, "\(file)")
        }
    }
}
