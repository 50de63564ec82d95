import ApexDomain
import ApexStore
import ApexTestSupport
import Foundation

/// A SQLite store written the way a firm writes one: the account through the real CLI, a
/// project's life (edits, a calculation, a PE approval, status changes with reasons) through the
/// store API and the domain's decide functions, and another project's events interleaved.
struct Scenario: Sendable {
    static let projectName = "Main St <Pylon> & Co"
    static let renamed = "Main St Pylon Sign"
    static let approvalReason = "Checked \"wind\" loads, per ASCE 7-16"
    static let statusReason = "All calculations stamped; client sign-off on file"
    static let license = PELicense(number: "PE-TX-118842", state: "TX", expiresOn: CivilDate(year: 2099, month: 12, day: 31))
    static let ownerName = "Grace Hopper"
    static let ip = "203.0.113.9"
    static let userAgent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"

    let folder: URL
    let accountID: UUID
    let ownerID: UUID
    let projectID: UUID
    let calculationID: UUID

    /// The store: an SQLite file in `folder` unless a PostgreSQL URL is given.
    var postgresURL: String? = nil
    var path: String { folder.appendingPathComponent("apex.sqlite").path }
    var url: String { postgresURL ?? "sqlite:\(path)" }
    var environment: [String: String] { ["APEX_STORE_URL": url, "APEX_SIGNING_KEY": Self.signingKey] }
    /// A fixed Ed25519 key (base64 of 32 raw bytes) for checkpoints on either store.
    static let signingKey = Data((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).base64EncodedString()
    func file(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Runs `apex-cli` against this store.
    func cli(_ arguments: String...) async throws -> CLIResult { try await CLI.run(arguments, environment: environment) }

    static func make(postgresURL: String? = nil) async throws -> Scenario {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apex-cli-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let storeURL = postgresURL ?? "sqlite:" + folder.appendingPathComponent("apex.sqlite").path
        var env = ["APEX_STORE_URL": storeURL]
        if postgresURL != nil { env["APEX_JWT_SECRET"] = "apex-cli-scenario-jwt-secret-0123456789abcdef" }
        let created = try await CLI.run(
            ["account", "create", "--name", "Acme Signs", "--owner-email", "grace@example.com", "--owner-name", ownerName, "--json"],
            environment: env)
        guard created.status == 0 else { throw CLIError(description: "account create failed: \(created)") }
        let ids = try CLI.object(created.stdout)
        guard let account = (ids["account_id"] as? String).flatMap(UUID.init(uuidString:)),
            let owner = (ids["user_id"] as? String).flatMap(UUID.init(uuidString:))
        else { throw CLIError(description: "account create printed no ids: \(created.stdout)") }
        let scenario = Scenario(folder: folder, accountID: account, ownerID: owner, projectID: UUID(), calculationID: UUID(), postgresURL: postgresURL)
        try await EventStores.withStore(url: storeURL) { store in try await scenario.writeHistory(store) }
        return scenario
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Runs `body` with a scenario on a fresh SQLite file, or on a fresh PostgreSQL database.
    static func with(postgres: Bool, _ body: (Scenario) async throws -> Void) async throws {
        if postgres {
            try await TestPostgres.withDatabase { database in
                let s = try await Scenario.make(postgresURL: database.url)
                defer { s.remove() }
                try await body(s)
            }
        } else {
            let s = try await Scenario.make()
            defer { s.remove() }
            try await body(s)
        }
    }

    private func writeHistory(_ store: any EventStore) async throws {
        let account = try AccountState.replay(try await store.readStream(.account(accountID)))
        let licensed = try AccountDecider.decide(.setPELicense(userID: ownerID, license: Self.license), state: account, context: context)
        _ = try await store.append(
            licensed.map { $0.proposed(id: UUID(), accountID: accountID, actor: .user(ownerID)) }, to: .account(accountID),
            expected: .exact(account.version))

        let site = Site(address: "100 Main St", city: "Austin", state: "TX", country: "US")
        let other = UUID()
        try await act(store, .create(projectID: projectID, fields: ProjectFields(name: Self.projectName, tags: ["pylon"], site: site)), request: "req-create")
        try await act(store, .create(projectID: other, fields: ProjectFields(name: "Another sign")), project: other)
        try await act(store, .update(changes: ["name": .string(Self.renamed), "site": ["city": "Round Rock", "state": "TX"]]), request: "req-rename")
        try await act(store, .changeStatus(to: .estimating, reason: nil))
        try await act(store, .runCalculation(calculationID: calculationID, type: .poleBaseMoment, inputs: ["F": 2000, "y": 15, "Fb": 30]))
        try await act(store, .update(changes: ["description": "Double-faced pylon"]), project: other)
        try await act(
            store, .approveCalculation(calculationID: calculationID, revision: 1, approver: ownerID, license: Self.license, reason: Self.approvalReason),
            request: "req-approve")
        try await act(store, .changeStatus(to: .submitted, reason: nil))
        try await act(store, .changeStatus(to: .approved, reason: Self.statusReason), request: "req-approved")
    }

    private var context: DecisionContext { DecisionContext(now: Date()) }

    /// Decides `command` on the project's replayed state and appends what it decides, as the owner.
    private func act(_ store: any EventStore, _ command: ProjectCommand, project: UUID? = nil, request: String? = nil) async throws {
        let id = project ?? projectID
        let state = try ProjectState.replay(try await store.readStream(.project(id)))
        let drafts = try ProjectDecider.decide(command, state: state, context: context)
        let metadata = request.map { RequestMetadata(ipAddress: Self.ip, userAgent: Self.userAgent, xForwardedFor: "198.51.100.7", requestID: $0) } ?? .none
        let events = drafts.map { $0.proposed(id: UUID(), accountID: accountID, actor: .user(ownerID), requestMetadata: metadata) }
        _ = try await store.append(events, to: .project(id), expected: state.version == 0 ? .noStream : .exact(state.version))
    }
}
