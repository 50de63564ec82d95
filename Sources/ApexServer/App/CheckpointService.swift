import ApexStore
import Crypto
import Logging
import ServiceLifecycle

/// Seals a signed checkpoint every interval while the server runs, and once more at shutdown.
struct CheckpointService: Service {
    let store: any EventStore
    let key: Curve25519.Signing.PrivateKey
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await seal()
            }
        }
        await seal()
    }

    private func seal() async {
        do {
            if let checkpoint = try await store.sealCheckpoint(signer: key) {
                logger.debug("sealed checkpoint", metadata: ["checkpoint.position": "\(checkpoint.position)"])
            }
        } catch {
            logger.error("could not seal a checkpoint", metadata: ["error": "\(error)"])
        }
    }
}
