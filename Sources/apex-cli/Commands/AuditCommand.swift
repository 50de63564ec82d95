import ApexAudit
import ApexCommandLine
import ApexDomain
import ApexStore
import ArgumentParser
import Foundation
import Logging

/// `apex-cli audit`: forensic bundles a third party verifies offline, and reports a person reads.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Forensic bundles and audit reports of one project.",
        subcommands: [AuditBundleCommand.self, AuditVerifyBundleCommand.self, AuditReportCommand.self])
}

/// `apex-cli audit bundle`: the project's events, the checkpoints sealing them and the Merkle
/// proofs tying them together, signed, in one file.
struct AuditBundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle", abstract: "Write a signed, self-contained forensic bundle of a project.",
        discussion: """
            The bundle holds the project's events exactly as stored (personal data stays sealed), the first \
            checkpoint covering its last event and the latest checkpoint (one is sealed now if none covers \
            it yet), an RFC 6962 inclusion proof of each event in the first one's Merkle tree and a \
            consistency proof from it to the latest, so `apex-cli audit verify-bundle FILE` can check \
            everything without a database. It names no other stream or account. It is signed with the \
            checkpoint signing key (APEX_SIGNING_KEY, or the one in the SQLite data folder); \
            without one the command fails and creates none.
            """)

    @Option(help: "The project's id (a UUID, or project-<uuid>).") var project: String
    @Option(help: "The file to write (replaced if it exists).") var out: String
    @OptionGroup var store: StoreOption
    @Flag(help: "Print a summary as JSON.") var json = false

    func run() async throws {
        let id = try AuditBundle.projectID(project)
        let settings = Settings()
        let logger = makeLogger(level: .warning)
        let url = try settings.storeURL(store.url)
        let target = URL(fileURLWithPath: out)
        let summary = try await EventStores.withExistingStore(url: url, logger: logger) { store in
            // The key that seals this store's checkpoints, never one made up now: a bundle signed
            // by a new key would look sealed by a stranger.
            let key = try settings.existingSigningKey(storeURL: url)
            return try await AuditBundle.write(store: store, project: id, key: key, to: target)
        }
        if json {
            var o = summary.json.objectValue ?? [:]
            o["out"] = .string(target.path)
            Output.json(.object(o))
        } else {
            let sealed = summary.sealedNewCheckpoint ? " (sealed a new checkpoint)" : ""
            print("""
                wrote \(target.path): \(summary.stream), \(summary.events) events, \(summary.checkpoints.count) checkpoint(s) at \
                \(summary.checkpoints.map(String.init).joined(separator: ", "))\(sealed)
                signed by \(summary.publicKey)
                """)
        }
    }
}

/// `apex-cli audit verify-bundle FILE`: no database, exit 0 intact, 1 tampered, 2 could not read.
struct AuditVerifyBundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-bundle", abstract: "Verify a forensic bundle offline, with no database.",
        discussion: """
            Checks the signature on line 2 over the exact bytes of line 1, every event's hash, chain and \
            version, each event's inclusion proof in a checkpoint's Merkle tree, the consistency proofs \
            between the checkpoints, every checkpoint's signature, and the project's replay. A bundle of \
            the older format apex-audit-bundle/1 is checked as before (its global log and digests).
            Exit status: 0 intact; 1 tampered or not a valid bundle, naming what failed (any changed byte \
            lands here, even one that leaves the file unparseable: line 1 is checked against its signature \
            before it is parsed, and line 2 must be exactly canonical); 2 the file could not be read or \
            --public-key is malformed.
            Without --public-key the bundle is checked against the key it names: that proves it is intact \
            and internally consistent; pass the deployment's key (apex-cli keys) to prove who sealed it.
            """)

    @Argument(help: "The bundle file.") var file: String
    @Option(help: "Accept only a bundle and checkpoints signed by this Ed25519 public key (base64; see apex-cli keys).")
    var publicKey: String?
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        if let publicKey {
            guard let raw = Data(base64Encoded: publicKey), raw.count == 32 else {
                FileHandle.standardError.write(Data("apex-cli audit verify-bundle: --public-key must be the base64 of a 32-byte Ed25519 public key\n".utf8))
                throw ExitCode(2)
            }
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file), options: .mappedIfSafe)
        } catch {
            FileHandle.standardError.write(Data("apex-cli audit verify-bundle: could not read \(file): \(error.localizedDescription)\n".utf8))
            throw ExitCode(2)
        }
        var verifier = BundleVerifier(pinnedKey: publicKey)
        let result = verifier.verify(data)
        if json {
            Output.json(result.json)
        } else if result.ok {
            let pinned = result.publicKeyPinned ? "the --public-key" : "\(result.publicKey ?? "?") (not pinned: compare it with `apex-cli keys` of the deployment, or pass --public-key)"
            let sealing =
                result.format == AuditBundle.legacyFormat
                ? "\(result.checkpointsChecked) checkpoint(s) re-digested over \(result.globalLogEntries) positions (format \(AuditBundle.legacyFormat))"
                : "\(result.inclusionProofsChecked) inclusion and \(result.consistencyProofsChecked) consistency proof(s) checked against \(result.checkpointsChecked) checkpoint(s)"
            print("""
                intact: \(result.stream ?? "?"): \(result.eventsChecked) events hash-chained and found at their global positions; \
                \(sealing); signed by \(pinned)
                """)
        } else {
            print("TAMPERED OR CORRUPT: \(result.failures.count) problem(s) in \(file)")
            for failure in result.failures { print("  " + Self.line(failure)) }
        }
        if !result.ok { throw ExitCode(1) }
    }

    static func line(_ f: VerifyFailure) -> String {
        var place: [String] = []
        if let v = f.version { place.append("event version \(v)") }
        if let p = f.position { place.append("position \(p)") }
        return place.isEmpty ? "\(f.kind): \(f.message)" : "\(f.kind) at \(place.joined(separator: ", ")): \(f.message)"
    }
}
