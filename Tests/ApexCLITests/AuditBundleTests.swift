import ApexDomain
import ApexStore
import Foundation
import Testing

@Suite("apex-cli audit bundle / verify-bundle")
struct AuditBundleTests {
    /// A fresh scenario with its bundle written; the scenario folder is removed afterwards.
    static func withBundle(_ body: (Scenario, String, [UInt8]) async throws -> Void) async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let out = s.file("project.apexbundle")
        let made = try await s.cli("audit", "bundle", "--project", s.projectID.lowercased, "--out", out, "--json")
        #expect(made.status == 0, "\(made)")
        try await body(s, out, [UInt8](try Data(contentsOf: URL(fileURLWithPath: out))))
    }

    static func failures(_ result: CLIResult) throws -> [[String: Any]] {
        try CLI.object(result.stdout)["failures"] as? [[String: Any]] ?? []
    }

    @Test func aBundleHoldsTheStoredEventsTheCheckpointAndTheProofsAndVerifiesWithoutTheStore() async throws {
        try await Self.withBundle { s, out, bytes in
            let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            #expect(lines.count == 3 && lines[2].isEmpty, "two lines, each ending in a newline")
            let body = try CLI.object(String(decoding: lines[0], as: UTF8.self))
            #expect(body["format"] as? String == "apex-audit-bundle/2")
            #expect(body["engine_version"] as? String == CalculationEngine.version)
            #expect(body["stream"] as? String == "project-\(s.projectID.lowercased)")
            let events = try #require(body["events"] as? [[String: Any]])
            #expect(events.compactMap { $0["version"] as? Int } == Array(1...7))
            #expect(body["global_log"] == nil)
            let inclusion = try #require(body["inclusion"] as? [[String: Any]])
            #expect(inclusion.count == 7 && inclusion.allSatisfy { $0["tree_size"] as? Int == 11 }, "one proof per event, in the sealed tree")
            #expect((body["consistency"] as? [Any])?.isEmpty == true)
            let checkpoints = try #require(body["checkpoints"] as? [[String: Any]])
            #expect(checkpoints.compactMap { $0["position"] as? Int } == [11], "one checkpoint was sealed to cover the last event")
            // Stored form: personal data stays sealed, exactly what was hashed.
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.contains(Scenario.ip) && !text.contains(Scenario.userAgent) && text.contains("\"sealed\":"))
            // Nothing of other streams: the account stream's events are at positions the proofs hash over.
            #expect(!text.contains("account-"))

            // The store is not needed: move it away, then verify.
            try FileManager.default.moveItem(atPath: s.path, toPath: s.path + ".away")
            let verified = try await CLI.run(["audit", "verify-bundle", out])
            #expect(verified.status == 0, "\(verified)")
            #expect(verified.stdout.hasPrefix("intact: project-\(s.projectID.lowercased): 7 events"))
            let json = try await CLI.run(["audit", "verify-bundle", out, "--json"])
            #expect(json.status == 0)
            let result = try CLI.object(json.stdout)
            #expect(result["ok"] as? Bool == true)
            #expect(result["events_checked"] as? Int == 7 && result["checkpoints_checked"] as? Int == 1)
            #expect(result["inclusion_proofs_checked"] as? Int == 7 && result["public_key_pinned"] as? Bool == false)
            #expect(try Self.failures(json).isEmpty)
        }
    }

    @Test func theDeploymentKeyPinsTheBundleAndAStrangersKeyIsRefused() async throws {
        try await Self.withBundle { s, out, _ in
            let key = try await s.cli("keys").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let pinned = try await CLI.run(["audit", "verify-bundle", out, "--public-key", key, "--json"])
            #expect(pinned.status == 0, "\(pinned)")
            #expect(try CLI.object(pinned.stdout)["public_key"] as? String == key)

            let stranger = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            let refused = try await CLI.run(["audit", "verify-bundle", out, "--public-key", stranger, "--json"])
            #expect(refused.status == 1)
            let kinds = Set(try Self.failures(refused).compactMap { $0["kind"] as? String })
            #expect(kinds == ["public_key_mismatch", "checkpoint_signature"])
        }
    }

    @Test func aFileThatCannotBeReadOrABadKeyExitsTwo() async throws {
        let missing = try await CLI.run(["audit", "verify-bundle", "/nonexistent/apex/bundle"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("could not read"))
        let badKey = try await CLI.run(["audit", "verify-bundle", "/nonexistent/apex/bundle", "--public-key", "not-a-key"])
        #expect(badKey.status == 2)
        #expect(badKey.stderr.contains("--public-key"))
    }

    /// Flips one bit of one byte and runs verify-bundle --json on the result.
    static func tampered(_ bytes: [UInt8], at offset: Int, folder: String) async throws -> CLIResult {
        var copy = bytes
        copy[offset] ^= 0x01
        let path = folder + "/tampered-\(offset).apexbundle"
        try Data(copy).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await CLI.run(["audit", "verify-bundle", path, "--json"])
    }

    static func offset(of needle: String, in bytes: [UInt8], from start: Int = 0) throws -> Int {
        let n = Array(needle.utf8)
        guard let i = (start...(bytes.count - n.count)).first(where: { Array(bytes[$0..<$0 + n.count]) == n }) else {
            throw CLIError(description: "\(needle) is not in the bundle")
        }
        return i
    }

    @Test func flippingAByteWhereItMattersNamesWhatWasChanged() async throws {
        try await Self.withBundle { s, _, bytes in
            let folder = s.folder.path
            let lineEnd = try #require(bytes.firstIndex(of: 0x0A))
            // (offset, the failure kinds that must be named, a place that must be named)
            let name = try Self.offset(of: Scenario.renamed, in: bytes) + 3
            let proof = try Self.offset(of: "\"path\":[\"", in: bytes) + 12
            let root = try Self.offset(of: "\"root\":\"", in: bytes) + 20
            let signature = try Self.offset(of: "\"signature\":\"", in: bytes, from: lineEnd) + 30
            let cases: [(Int, Set<String>, (String, Int)?)] = [
                (name, ["bundle_signature", "hash_mismatch"], ("version", 2)),
                (proof, ["bundle_signature", "inclusion_proof"], ("version", 1)),
                (root, ["bundle_signature", "checkpoint_signature", "inclusion_proof"], ("position", 11)),
                (signature, ["bundle_signature"], nil),
                (lineEnd, ["bundle_format", "bundle_signature"], nil),
                (bytes.count - 1, ["bundle_format"], nil),
            ]
            for (offset, kinds, place) in cases {
                let result = try await Self.tampered(bytes, at: offset, folder: folder)
                #expect(result.status == 1, "byte \(offset): \(result)")
                let failures = try Self.failures(result)
                let found = Set(failures.compactMap { $0["kind"] as? String })
                #expect(kinds.isSubset(of: found), "byte \(offset): expected \(kinds), found \(found)")
                if let (key, value) = place {
                    #expect(failures.contains { $0[key] as? Int == value }, "byte \(offset): no failure names \(key) \(value): \(failures)")
                }
            }
            // Without --json, a person reads the same verdict.
            var copy = bytes
            copy[name] ^= 0x01
            try Data(copy).write(to: URL(fileURLWithPath: folder + "/edited.apexbundle"))
            let plain = try await CLI.run(["audit", "verify-bundle", folder + "/edited.apexbundle"])
            #expect(plain.status == 1)
            #expect(plain.stdout.hasPrefix("TAMPERED OR CORRUPT: "))
            #expect(plain.stdout.contains("hash_mismatch at event version 2, position 5"), "\(plain)")
        }
    }

    /// M1: positions no Int64 holds used to trap (`Int64(Double)`) and kill the process with
    /// exit 132; a crafted bundle is reported TAMPERED with exit 1.
    @Test(arguments: ["1e300", "-1e300", "9300000000000000000", "2.5"])
    func aPositionBeyondInt64IsReportedNotACrash(_ number: String) async throws {
        try await Self.withBundle { s, _, bytes in
            var text = String(decoding: bytes, as: UTF8.self)
            text = text.replacingOccurrences(of: #""position":[0-9]+"#, with: "\"position\":\(number)", options: .regularExpression)
            let path = s.file("crafted.apexbundle")
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let result = try await CLI.run(["audit", "verify-bundle", path, "--json"])
            #expect(result.status == 1, "\(result)")
            let kinds = Set(try Self.failures(result).compactMap { $0["kind"] as? String })
            #expect(kinds.isSuperset(of: ["bundle_signature", "event_format", "checkpoint_format"]), "\(kinds)")
            let plain = try await CLI.run(["audit", "verify-bundle", path])
            #expect(plain.status == 1 && plain.stdout.hasPrefix("TAMPERED OR CORRUPT: "), "\(plain)")
        }
    }

    @Test func flippingAnyByteOfTheBundleExitsOne() async throws {
        try await Self.withBundle { s, _, bytes in
            let lineEnd = try #require(bytes.firstIndex(of: 0x0A))
            // Evenly spread over the whole file, plus the edges of both lines.
            let offsets = Array(stride(from: 0, to: bytes.count, by: max(1, bytes.count / 70)))
                + [1, lineEnd - 1, lineEnd + 1, lineEnd + 2, bytes.count - 3, bytes.count - 2]
            for offset in Set(offsets).sorted() {
                let result = try await Self.tampered(bytes, at: offset, folder: s.folder.path)
                #expect(result.status == 1, "flipping byte \(offset) of \(bytes.count) went undetected: \(result)")
                #expect(result.stdout.contains("\"ok\":false"), "byte \(offset): \(result.stdout)")
            }
        }
    }
}
