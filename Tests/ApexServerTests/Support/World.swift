import ApexDomain
import ApexServer
import ApexStore
import ApexTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The stores the server tests run against.
enum StoreKind: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// One account on a fresh store, with a user per role, a few projects in known states, and
/// an API over it. Built by appending the deciders' events straight to the store, so the API
/// under test has no part in the setup.
///
/// Users: `owner`, `admin`, `engineer` (all three with a valid PE license in effect: the owner's
/// recorded by the admin, the others' given at acceptance and confirmed by the owner), `estimator`,
/// `fabricator`, `client`; `owner-nope`, `admin-nope`, `engineer-nope` (no PE license),
/// `engineer-expired` (an expired one) and `member` (an estimator that user routes act on).
///
/// Projects (`withProjects`), each with two calculations; the second one (``calcs``) is never approved:
/// - `draft`: a draft with no client;
/// - `approved`: approved (its first calculation approved by a PE), the second run afterwards (as a
///   store written before calculations froze at approval holds it: appended without the decider);
/// - `own`: a draft whose client is `client`;
/// - `deleted`: a soft-deleted draft.
struct World: Sendable {
    static let logger: Logger = {
        var logger = Logger(label: "apex.server.tests")
        logger.logLevel = .critical
        return logger
    }()
    static let secret = "apex-server-tests-jwt-secret-0123456789"
    static let validLicense = PELicense(number: "PE-1001", state: "TX", expiresOn: CivilDate("2099-12-31")!)
    static let expiredLicense = PELicense(number: "PE-0999", state: "TX", expiresOn: CivilDate("2020-01-31")!)
    static let windInputs: [String: JSONValue] = ["V": 115, "exposure": "C", "z": 15]
    static let members: [(name: String, role: Role, license: PELicense?)] = [
        ("admin", .admin, validLicense), ("engineer", .engineer, validLicense), ("estimator", .estimator, nil),
        ("fabricator", .fabricator, nil), ("client", .client, nil), ("owner-nope", .owner, nil), ("admin-nope", .admin, nil),
        ("engineer-nope", .engineer, nil), ("engineer-expired", .engineer, expiredLicense), ("member", .estimator, nil),
    ]

    let kind: StoreKind
    let api: ApexAPI
    let store: any EventStore
    let configuration: ServerConfiguration
    let account: UUID
    let users: [String: UUID]
    let tokens: [String: String]
    let projects: [String: UUID]
    let calcs: [String: UUID]
    /// The first calculation of each project (approved in `approved`).
    let firstCalcs: [String: UUID]

    func user(_ name: String) -> UUID { users[name]! }
    func token(_ name: String) -> String { tokens[name]! }
    func project(_ state: String) -> UUID { projects[state]! }

    /// Runs `body` with a world on a fresh store of `kind`. On SQLite the seeded file is built
    /// once per process and copied for each test (seeding appends ~70 events, each a commit).
    /// `storeClock` stamps the events appended after seeding (the seed keeps the real time).
    static func with(
        _ kind: StoreKind = .sqlite, withProjects: Bool = true, storeClock: (@Sendable () -> Date)? = nil,
        configure: (inout ServerConfiguration) -> Void = { _ in }, _ body: (World) async throws -> Void
    ) async throws {
        var configuration = ServerConfiguration()
        configuration.jwtSecret = secret
        // Every test calls from one address, many times: rate limits are tested where turned on (RateLimitTests).
        configuration.rateLimits = .off
        configure(&configuration)
        switch kind {
        case .sqlite:
            let template = try await Templates.shared.template(withProjects: withProjects)
            try await withSQLite(copying: template.files, clock: storeClock) { store in
                try await body(try await make(kind, store, configuration, template.seed))
            }
        case .postgres:
            try await TestPostgres.withDatabase { database in
                guard let storeClock else {
                    try await EventStores.withStore(url: database.url, projections: [ProjectListProjection()], logger: logger) { store in
                        try await body(try await make(kind, store, configuration, try await seed(store, withProjects: withProjects)))
                    }
                    return
                }
                // Seeded at the real time, then served by a store on the given clock.
                let seeded: Seed = try await EventStores.withStore(url: database.url, projections: [ProjectListProjection()], logger: logger) { store in
                    try await World.seed(store, withProjects: withProjects)
                }
                try await EventStores.withStore(url: database.url, projections: [ProjectListProjection()], clock: storeClock, logger: logger) { store in
                    try await body(try await make(kind, store, configuration, seeded))
                }
            }
        }
    }

    /// A SQLite store in a new temporary folder, starting from `files` (contents by file-name suffix).
    static func withSQLite(
        copying files: [String: Data] = [:], clock: (@Sendable () -> Date)? = nil, _ body: (SQLiteEventStore) async throws -> Void
    ) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("apex-server-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("apex.sqlite")
        for (suffix, data) in files { try data.write(to: URL(fileURLWithPath: path.path + suffix)) }
        var configuration = SQLiteEventStore.Configuration()
        configuration.projections = [ProjectListProjection()]
        if let clock { configuration.clock = clock }
        let store = try SQLiteEventStore(path: path.path, configuration: configuration)
        do { try await body(store) } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    private static func make(_ kind: StoreKind, _ store: any EventStore, _ configuration: ServerConfiguration, _ seed: Seed) async throws -> World {
        let api = try await ApexAPI(store: store, configuration: configuration)
        var tokens: [String: String] = [:]
        for (name, id) in seed.users { tokens[name] = try await api.issueToken(user: id, account: seed.account) }
        return World(
            kind: kind, api: api, store: store, configuration: configuration, account: seed.account, users: seed.users, tokens: tokens,
            projects: seed.projects, calcs: seed.calcs, firstCalcs: seed.firstCalcs)
    }

    /// The same world served by a new API over `store` (a ``ProxyStore`` around this one) and/or
    /// another configuration; tokens stay valid while the secret does.
    func rebuilt(over store: (any EventStore)? = nil, configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> World {
        var configuration = self.configuration
        configure(&configuration)
        let store = store ?? self.store
        return World(
            kind: kind, api: try await ApexAPI(store: store, configuration: configuration), store: store, configuration: configuration,
            account: account, users: users, tokens: tokens, projects: projects, calcs: calcs, firstCalcs: firstCalcs)
    }

    /// Another account on the same store and API: its owner's token, a project and its calculation.
    func otherAccount() async throws -> (account: UUID, owner: UUID, token: String, project: UUID, calc: UUID, member: UUID) {
        var seeder = Seeder(store: store, account: UUID())
        let owner = UUID(), member = UUID()
        try await seeder.account(.create(accountID: seeder.account, name: "Rival Signs", ownerID: owner, ownerName: "Rita", ownerEmail: "rita@rival.example"))
        try await seeder.join(member, "Moe", "moe@rival.example", .estimator, nil)
        let project = UUID(), calc = UUID()
        try await seeder.project(project, by: owner, [
            .create(projectID: project, fields: ProjectFields(name: "Rival pylon")),
            .runCalculation(calculationID: calc, type: .windVelocityPressure, inputs: Self.windInputs),
        ])
        return (seeder.account, owner, try await api.issueToken(user: owner, account: seeder.account), project, calc, member)
    }

    /// The ids a seeded store holds.
    struct Seed: Sendable {
        var account: UUID
        var users: [String: UUID]
        var projects: [String: UUID] = [:]
        var calcs: [String: UUID] = [:]
        var firstCalcs: [String: UUID] = [:]
    }

    /// Seeds the account, its users and (optionally) its projects.
    static func seed(_ store: any EventStore, withProjects: Bool) async throws -> Seed {
        var seeder = Seeder(store: store, account: UUID())
        let owner = UUID()
        var seed = Seed(account: seeder.account, users: ["owner": owner])
        try await seeder.account(.create(accountID: seeder.account, name: "Acme Signs", ownerID: owner, ownerName: "Olive Owner", ownerEmail: "owner@acme.example"))
        for member in members {
            let id = UUID()
            seed.users[member.name] = id
            try await seeder.join(id, member.name, "\(member.name)@acme.example", member.role, member.license)
            if member.license != nil { try await seeder.account(.confirmPELicense(userID: id, by: owner)) }
        }
        try await seeder.account(.setPELicense(userID: owner, license: validLicense, by: seed.users["admin"]!))
        guard withProjects else { return seed }
        for state in ["draft", "approved", "own", "deleted"] {
            let id = UUID(), first = UUID(), second = UUID()
            seed.projects[state] = id
            seed.calcs[state] = second
            seed.firstCalcs[state] = first
            var commands: [ProjectCommand] = [
                .create(projectID: id, fields: ProjectFields(name: "Pylon \(state)", clientID: state == "own" ? seed.users["client"] : nil)),
                .runCalculation(calculationID: first, type: .windVelocityPressure, inputs: windInputs),
            ]
            if state == "approved" {
                commands += [
                    .approveCalculation(
                        calculationID: first, revision: 1, approver: owner, license: validLicense.confirmed(by: seed.users["admin"]!), reason: "checked"),
                    .changeStatus(to: .estimating, reason: nil), .changeStatus(to: .submitted, reason: nil),
                    .changeStatus(to: .approved, reason: "all calculations approved"),
                ]
            }
            if state != "approved" { commands.append(.runCalculation(calculationID: second, type: .windVelocityPressure, inputs: windInputs)) }
            if state == "deleted" { commands.append(.delete(reason: "duplicate")) }
            try await seeder.project(id, by: owner, commands)
            if state == "approved" {
                let result = try CalculationEngine.run(.windVelocityPressure, inputs: windInputs)
                try await seeder.append(CalculationRun(calculationID: second, revision: 1, result: result), to: id, by: owner)
            }
        }
        return seed
    }
}

/// Seeded SQLite files, built once per test process and kept in memory; each test writes a copy.
actor Templates {
    static let shared = Templates()
    struct Template: Sendable {
        let files: [String: Data]
        let seed: World.Seed
    }
    private var built: [Bool: Task<Template, any Error>] = [:]

    func template(withProjects: Bool) async throws -> Template {
        if let task = built[withProjects] { return try await task.value }
        let task = Task {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("apex-server-template-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let file = dir.appendingPathComponent("apex.sqlite")
            var configuration = SQLiteEventStore.Configuration()
            configuration.projections = [ProjectListProjection()]
            let store = try SQLiteEventStore(path: file.path, configuration: configuration)
            let seed = try await World.seed(store, withProjects: withProjects)
            try await store.close()
            var files: [String: Data] = [:]
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: file.path + suffix) {
                files[suffix] = try Data(contentsOf: URL(fileURLWithPath: file.path + suffix))
            }
            return Template(files: files, seed: seed)
        }
        built[withProjects] = task
        return try await task.value
    }
}

/// Appends the deciders' events for an account and its projects, as `apex-cli account create` does.
struct Seeder {
    let store: any EventStore
    let account: UUID
    var state = AccountState()

    init(store: any EventStore, account: UUID) {
        self.store = store
        self.account = account
    }

    mutating func account(_ command: AccountCommand, actor: Actor = .service("apex-tests")) async throws {
        let drafts = try AccountDecider.decide(command, state: state, context: DecisionContext(now: Date()))
        let events = drafts.map { $0.proposed(id: UUID(), accountID: account, actor: actor) }
        let result = try await store.append(events, to: .account(account), expected: state.version == 0 ? .noStream : .exact(state.version))
        for event in result.events { try state.apply(event) }
    }

    /// Invites and accepts: the user joins with `role` and `license`.
    mutating func join(_ id: UUID, _ name: String, _ email: String, _ role: Role, _ license: PELicense?) async throws {
        let hash = "seeded-invitation-\(id.lowercased)"
        try await account(.invite(invitationID: UUID(), userID: id, email: email, name: name, role: role, tokenHash: hash, expiresAt: Date().addingTimeInterval(86_400)))
        try await account(.accept(tokenHash: hash, name: name, peLicense: license), actor: .user(id))
    }

    /// Appends `event` to a project's stream as it is, without the decider: data an older server wrote.
    func append(_ event: some DomainEvent, to id: UUID, by actor: UUID) async throws {
        let version = try await store.streamVersion(.project(id))
        let proposed = try event.draft().proposed(id: UUID(), accountID: account, actor: .user(actor))
        _ = try await store.append([proposed], to: .project(id), expected: .exact(version))
    }

    func project(_ id: UUID, by actor: UUID, _ commands: [ProjectCommand]) async throws {
        var state = ProjectState()
        for command in commands {
            let drafts = try ProjectDecider.decide(command, state: state, context: DecisionContext(now: Date()))
            let events = drafts.map { $0.proposed(id: UUID(), accountID: account, actor: .user(actor)) }
            let result = try await store.append(events, to: .project(id), expected: state.version == 0 ? .noStream : .exact(state.version))
            for event in result.events { try state.apply(event) }
        }
    }
}
