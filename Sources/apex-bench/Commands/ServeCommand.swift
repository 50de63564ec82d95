import ApexCommandLine
import ApexServer
import ArgumentParser
import Foundation
import Logging

/// `apex-bench serve`: the server the scale and cold-start scenarios measure, in a process of its
/// own, started by ``ServerProcess``. It runs ``ApexServer`` as `apex-cli serve` does with no
/// flags (every ``ServerConfiguration`` default, so the store opens with
/// ``ServerConfiguration/storeProjections``, but with rate limits off), on 127.0.0.1 and a port the system picks, which it
/// prints as `listening on PORT` once it accepts connections. It exits when its standard input
/// closes, so a benchmark that dies leaves no server behind.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the Apex server for the scale scenarios (started by apex-bench itself).", shouldDisplay: false)

    /// The line announcing the port, followed by the port's number.
    static let readyPrefix = "listening on "

    @OptionGroup var store: StoreOption

    func run() async throws {
        Thread.detachNewThread {
            while !FileHandle.standardInput.availableData.isEmpty {}
            Foundation.exit(0)
        }
        let settings = Settings()
        let logger = makeLogger("apex-bench.serve", level: .warning)
        var configuration = ServerConfiguration()
        configuration.storeURL = try settings.storeURL(store.url)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        // The scenarios measure the server, not its rate limits.
        configuration.rateLimits = .off
        configuration.jwtSecret = try settings.jwtSecret(storeURL: configuration.storeURL, logger: logger)
        configuration.signingKey = try settings.signingKey(storeURL: configuration.storeURL, logger: logger)
        do {
            try await ApexServer.run(configuration: configuration, logger: logger, onReady: { port in
                FileHandle.standardOutput.write(Data("\(Self.readyPrefix)\(port)\n".utf8))
            })
        } catch {
            FileHandle.standardOutput.write(Data("failed: \(error)\n".utf8))
            throw error
        }
    }
}
