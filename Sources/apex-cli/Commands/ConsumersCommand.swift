import ApexCommandLine
import ApexDomain
import ApexServer
import ApexStore
import ArgumentParser
import Foundation
import Logging

/// `apex-cli consumers`: each consumer of the log with its saved position, lag behind the head
/// and last error: the ones the server runs (``ServerConsumers``) and any other with a saved position.
struct ConsumersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumers", abstract: "List the consumers of the log: position, lag and last error.")

    @OptionGroup var store: StoreOption
    @Flag(help: "Print as JSON.") var json = false

    func run() async throws {
        let url = try Settings().storeURL(store.url)
        let (head, positions) = try await EventStores.withExistingStore(url: url, logger: makeLogger(level: .warning)) { store in
            (try await store.headPosition(), try await Self.positions(store))
        }
        if json {
            Output.json(["head": .number(Double(head)), "consumers": .array(positions.map { Self.json($0, head: head) })])
            return
        }
        guard !positions.isEmpty else {
            print("no consumers (head position \(head))")
            return
        }
        print("NAME\tPOSITION\tLAG\tLAST ERROR")
        for p in positions { print("\(p.name)\t\(p.position)\t\(p.lag(head: head))\t\(p.lastError.map { Self.oneLine($0) } ?? "-")") }
    }

    /// The saved positions, plus the server's consumers that have none yet (at 0), by name.
    static func positions(_ store: any EventStore) async throws -> [ConsumerPosition] {
        var byName = Dictionary(uniqueKeysWithValues: try await store.consumerPositions().map { ($0.name, $0) })
        for name in ServerConsumers.names where byName[name] == nil {
            byName[name] = ConsumerPosition(name: name, position: 0, updatedAt: .distantPast)
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    /// One consumer as JSON; `updated_at` is null for one never saved.
    static func json(_ p: ConsumerPosition, head: Int64) -> JSONValue {
        let updated: JSONValue = p.updatedAt == .distantPast ? .null : .string(Timestamp.format(p.updatedAt))
        let error: JSONValue = p.lastError.map { .string($0) } ?? .null
        let errorAt: JSONValue = p.lastErrorAt.map { .string(Timestamp.format($0)) } ?? .null
        return [
            "name": .string(p.name), "position": .number(Double(p.position)), "lag": .number(Double(p.lag(head: head))),
            "updated_at": updated, "last_error": error, "last_error_at": errorAt,
        ]
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// `apex-cli projections rebuild NAME`: rebuild a read model from position 0, because read models
/// are never the truth. For a consumer of the log, its position is reset to 0 and the runner
/// replays the log (a running server notices within seconds); for an inline read model
/// (`projects`), it is recomputed now.
struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections", abstract: "Rebuild read models and consumers of the log.", subcommands: [Rebuild.self])

    /// `apex-cli projections rebuild NAME`.
    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rebuild", abstract: "Replay the whole log into a consumer or read model (see `apex-cli consumers`).")

        @Argument(help: "The consumer's or read model's name.") var name: String
        @OptionGroup var store: StoreOption
        @Flag(help: "Print the result as JSON.") var json = false

        /// The read models kept inline with appends, by name.
        static let inline: [String: any Projection] = [ProjectListProjection().name: ProjectListProjection()]

        func run() async throws {
            let url = try Settings().storeURL(store.url)
            let name = self.name
            let (kind, head) = try await EventStores.withExistingStore(url: url, logger: makeLogger(level: .warning)) { store -> (String, Int64) in
                if let projection = Self.inline[name] {
                    try await store.rebuildProjection(projection)
                    return ("projection", try await store.headPosition())
                }
                guard try await ConsumersCommand.positions(store).contains(where: { $0.name == name }) else {
                    let known = (try await ConsumersCommand.positions(store).map(\.name) + Self.inline.keys).sorted()
                    throw CLIError(
                        .unknownConsumer,
                        "no consumer or read model is named \(Self.printable(name)); known: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
                }
                try await store.resetConsumer(name)
                return ("consumer", try await store.headPosition())
            }
            if json {
                Output.json(["name": .string(name), "kind": .string(kind), "position": .number(0), "replays": .number(Double(head))])
            } else if kind == "projection" {
                print("rebuilt read model \(name) from \(head) events")
            } else {
                print("reset consumer \(name) to position 0: it replays \(head) events when it next runs")
            }
        }

        /// The name as given, quoted, without control characters.
        static func printable(_ name: String) -> String {
            "\"" + String(name.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.prefix(100).map(Character.init)) + "\""
        }
    }
}
