import ApexCommandLine
import ApexDomain
import ApexStore
import ArgumentParser
import Foundation
import Logging

/// `apex-bench load`: append synthetic events, printing each acknowledged event id as soon as
/// the store returns — for durability drills (kill the process, then check every printed id).
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Append synthetic events and print each acknowledged event id (durability drills).",
        shouldDisplay: false)

    @OptionGroup var store: StoreOption
    @Option(help: "How many events to append.") var events: Int = 1000
    @Option(help: "Events per append.") var batch: Int = 1
    @Option(help: "Concurrent writers, each on its own streams.") var writers: Int = 1

    func run() async throws {
        let url = try Settings().storeURL(store.url)
        let account = UUID()
        let perWriter = max(1, events / max(1, writers))
        let batch = max(1, self.batch)
        try await EventStores.withStore(url: url, logger: makeLogger(level: .warning)) { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<max(1, writers) {
                    group.addTask {
                        let stream = StreamID(rawValue: "load-\(UUID().uuidString.lowercased())")
                        var version: Int64 = 0
                        var written = 0
                        while written < perWriter {
                            let n = min(batch, perWriter - written)
                            let proposed = (0..<n).map { i in
                                ProposedEvent(
                                    id: UUID(), type: "load.tick", data: ["writer": .number(Double(w)), "n": .number(Double(written + i))],
                                    accountID: account, actor: .service("apex-bench load"))
                            }
                            let result = try await store.append(proposed, to: stream, expected: version == 0 ? .noStream : .exact(version))
                            version = result.nextExpectedVersion
                            written += n
                            let line = proposed.map { $0.id.lowercased }.joined(separator: "\n") + "\n"
                            FileHandle.standardOutput.write(Data(line.utf8))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
