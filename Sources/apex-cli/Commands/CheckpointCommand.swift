import ApexCommandLine
import ApexDomain
import ApexStore
import ArgumentParser
import Crypto
import Foundation
import Logging

/// `apex-cli checkpoint`: seal a signed checkpoint now.
struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Seal a signed checkpoint of the global order now.")

    @OptionGroup var store: StoreOption
    @Flag(help: "Print the checkpoint as JSON.") var json = false

    func run() async throws {
        let settings = Settings()
        let logger = makeLogger(level: .warning)
        let url = try settings.storeURL(store.url)
        let checkpoint = try await EventStores.withExistingStore(url: url, logger: logger) { store in
            guard let key = try settings.signingKey(storeURL: url, logger: logger) else {
                throw CLIError(.noSigningKey, "set APEX_SIGNING_KEY (base64 of a 32-byte Ed25519 private key) to seal checkpoints on PostgreSQL")
            }
            return try await store.sealCheckpoint(signer: key)
        }
        guard let checkpoint else {
            if json { Output.json(.null) } else { print("the store is empty: nothing to seal") }
            return
        }
        if json { try Output.json(checkpoint) } else { print("sealed checkpoint at position \(checkpoint.position), Merkle root \(checkpoint.digest)") }
    }
}

/// `apex-cli keys`: the public key that verifies this deployment's checkpoints. It reads the key
/// and never creates one (``Settings/existingSigningKey(storeURL:)``).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Show the public key that verifies checkpoints.")

    @OptionGroup var store: StoreOption
    @Flag(help: "Print as JSON.") var json = false

    func run() async throws {
        let settings = Settings()
        let url = try settings.storeURL(store.url)
        let key = try settings.existingSigningKey(storeURL: url)
        let publicKey = key.publicKey.rawRepresentation.base64EncodedString()
        if json { Output.json(["algorithm": "Ed25519", "public_key": .string(publicKey)]) } else { print(publicKey) }
    }
}
