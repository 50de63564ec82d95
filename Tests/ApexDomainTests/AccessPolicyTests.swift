import Foundation
import PropertyBased
import Testing

@testable import ApexDomain

/// Every test of ``AccessPolicy``: `swift test --filter AccessPolicyTests`.
@Suite struct AccessPolicyTests {}

extension AccessPolicyTests {
    /// The role matrix of the design brief, one row per (role, permission, resource state) cell.
    ///
    /// Written out by hand from design.md, not derived from ``AccessPolicy/matrix``, so a wrong
    /// matrix entry fails here. States: `draft` and `approved` are projects without a client;
    /// `own` is a draft whose client is the acting user, `other` a draft for another client;
    /// `+pe`, `+expired`, `+nope` give the actor a valid, an expired or no PE license;
    /// `member` is an estimator of the account, `account` the account itself.
    /// Expectations: `deny403` is `role_forbids`, `deny404` is a concealed `not_visible`.
    struct Matrix {
        static let table: [Cell] = [
            Cell("owner", "project.create", "draft", .allow),
            Cell("owner", "project.create", "approved", .allow),
            Cell("owner", "project.create", "own", .allow),
            Cell("owner", "project.create", "other", .allow),
            Cell("owner", "project.edit", "draft", .allow),
            Cell("owner", "project.edit", "approved", .allow),
            Cell("owner", "project.edit", "own", .allow),
            Cell("owner", "project.edit", "other", .allow),
            Cell("owner", "project.delete", "draft", .allow),
            Cell("owner", "project.delete", "approved", .allow),
            Cell("owner", "project.delete", "own", .allow),
            Cell("owner", "project.delete", "other", .allow),
            Cell("owner", "project.view", "draft", .allow),
            Cell("owner", "project.view", "approved", .allow),
            Cell("owner", "project.view", "own", .allow),
            Cell("owner", "project.view", "other", .allow),
            Cell("owner", "calculation.run", "draft", .allow),
            Cell("owner", "calculation.run", "approved", .allow),
            Cell("owner", "calculation.run", "own", .allow),
            Cell("owner", "calculation.run", "other", .allow),
            Cell("owner", "calculation.view", "draft", .allow),
            Cell("owner", "calculation.view", "approved", .allow),
            Cell("owner", "calculation.view", "own", .allow),
            Cell("owner", "calculation.view", "other", .allow),
            Cell("owner", "file.upload", "draft", .allow),
            Cell("owner", "file.upload", "approved", .allow),
            Cell("owner", "file.upload", "own", .allow),
            Cell("owner", "file.upload", "other", .allow),
            Cell("owner", "file.delete", "draft", .allow),
            Cell("owner", "file.delete", "approved", .allow),
            Cell("owner", "file.delete", "own", .allow),
            Cell("owner", "file.delete", "other", .allow),
            Cell("owner", "file.view", "draft", .allow),
            Cell("owner", "file.view", "approved", .allow),
            Cell("owner", "file.view", "own", .allow),
            Cell("owner", "file.view", "other", .allow),
            Cell("owner", "calculation.approve", "draft+pe", .allow),
            Cell("owner", "calculation.approve", "draft+expired", .peExpired),
            Cell("owner", "calculation.approve", "draft+nope", .peMissing),
            Cell("owner", "calculation.approve", "approved+pe", .allow),
            Cell("owner", "calculation.approve", "own+pe", .allow),
            Cell("owner", "calculation.approve", "other+pe", .allow),
            Cell("owner", "user.invite", "member", .allow),
            Cell("owner", "user.remove", "member", .allow),
            Cell("owner", "user.view", "member", .allow),
            Cell("owner", "account.billing", "account", .allow),
            Cell("owner", "account.manage", "account", .allow),
            Cell("owner", "user.view", "account", .allow),
            Cell("admin", "project.create", "draft", .allow),
            Cell("admin", "project.create", "approved", .allow),
            Cell("admin", "project.create", "own", .allow),
            Cell("admin", "project.create", "other", .allow),
            Cell("admin", "project.edit", "draft", .allow),
            Cell("admin", "project.edit", "approved", .allow),
            Cell("admin", "project.edit", "own", .allow),
            Cell("admin", "project.edit", "other", .allow),
            Cell("admin", "project.delete", "draft", .allow),
            Cell("admin", "project.delete", "approved", .allow),
            Cell("admin", "project.delete", "own", .allow),
            Cell("admin", "project.delete", "other", .allow),
            Cell("admin", "project.view", "draft", .allow),
            Cell("admin", "project.view", "approved", .allow),
            Cell("admin", "project.view", "own", .allow),
            Cell("admin", "project.view", "other", .allow),
            Cell("admin", "calculation.run", "draft", .allow),
            Cell("admin", "calculation.run", "approved", .allow),
            Cell("admin", "calculation.run", "own", .allow),
            Cell("admin", "calculation.run", "other", .allow),
            Cell("admin", "calculation.view", "draft", .allow),
            Cell("admin", "calculation.view", "approved", .allow),
            Cell("admin", "calculation.view", "own", .allow),
            Cell("admin", "calculation.view", "other", .allow),
            Cell("admin", "file.upload", "draft", .allow),
            Cell("admin", "file.upload", "approved", .allow),
            Cell("admin", "file.upload", "own", .allow),
            Cell("admin", "file.upload", "other", .allow),
            Cell("admin", "file.delete", "draft", .allow),
            Cell("admin", "file.delete", "approved", .allow),
            Cell("admin", "file.delete", "own", .allow),
            Cell("admin", "file.delete", "other", .allow),
            Cell("admin", "file.view", "draft", .allow),
            Cell("admin", "file.view", "approved", .allow),
            Cell("admin", "file.view", "own", .allow),
            Cell("admin", "file.view", "other", .allow),
            Cell("admin", "calculation.approve", "draft+pe", .allow),
            Cell("admin", "calculation.approve", "draft+expired", .peExpired),
            Cell("admin", "calculation.approve", "draft+nope", .peMissing),
            Cell("admin", "calculation.approve", "approved+pe", .allow),
            Cell("admin", "calculation.approve", "own+pe", .allow),
            Cell("admin", "calculation.approve", "other+pe", .allow),
            Cell("admin", "user.invite", "member", .allow),
            Cell("admin", "user.remove", "member", .allow),
            Cell("admin", "user.view", "member", .allow),
            Cell("admin", "account.billing", "account", .deny403),
            Cell("admin", "account.manage", "account", .deny403),
            Cell("admin", "user.view", "account", .allow),
            Cell("engineer", "project.create", "draft", .deny403),
            Cell("engineer", "project.create", "approved", .deny403),
            Cell("engineer", "project.create", "own", .deny403),
            Cell("engineer", "project.create", "other", .deny403),
            Cell("engineer", "project.edit", "draft", .deny403),
            Cell("engineer", "project.edit", "approved", .deny403),
            Cell("engineer", "project.edit", "own", .deny403),
            Cell("engineer", "project.edit", "other", .deny403),
            Cell("engineer", "project.delete", "draft", .deny403),
            Cell("engineer", "project.delete", "approved", .deny403),
            Cell("engineer", "project.delete", "own", .deny403),
            Cell("engineer", "project.delete", "other", .deny403),
            Cell("engineer", "project.view", "draft", .allow),
            Cell("engineer", "project.view", "approved", .allow),
            Cell("engineer", "project.view", "own", .allow),
            Cell("engineer", "project.view", "other", .allow),
            Cell("engineer", "calculation.run", "draft", .allow),
            Cell("engineer", "calculation.run", "approved", .allow),
            Cell("engineer", "calculation.run", "own", .allow),
            Cell("engineer", "calculation.run", "other", .allow),
            Cell("engineer", "calculation.view", "draft", .allow),
            Cell("engineer", "calculation.view", "approved", .allow),
            Cell("engineer", "calculation.view", "own", .allow),
            Cell("engineer", "calculation.view", "other", .allow),
            Cell("engineer", "file.upload", "draft", .allow),
            Cell("engineer", "file.upload", "approved", .allow),
            Cell("engineer", "file.upload", "own", .allow),
            Cell("engineer", "file.upload", "other", .allow),
            Cell("engineer", "file.delete", "draft", .deny403),
            Cell("engineer", "file.delete", "approved", .deny403),
            Cell("engineer", "file.delete", "own", .deny403),
            Cell("engineer", "file.delete", "other", .deny403),
            Cell("engineer", "file.view", "draft", .allow),
            Cell("engineer", "file.view", "approved", .allow),
            Cell("engineer", "file.view", "own", .allow),
            Cell("engineer", "file.view", "other", .allow),
            Cell("engineer", "calculation.approve", "draft+pe", .allow),
            Cell("engineer", "calculation.approve", "draft+expired", .peExpired),
            Cell("engineer", "calculation.approve", "draft+nope", .peMissing),
            Cell("engineer", "calculation.approve", "approved+pe", .allow),
            Cell("engineer", "calculation.approve", "own+pe", .allow),
            Cell("engineer", "calculation.approve", "other+pe", .allow),
            Cell("engineer", "user.invite", "member", .deny403),
            Cell("engineer", "user.remove", "member", .deny403),
            Cell("engineer", "user.view", "member", .allow),
            Cell("engineer", "account.billing", "account", .deny403),
            Cell("engineer", "account.manage", "account", .deny403),
            Cell("engineer", "user.view", "account", .allow),
            Cell("estimator", "project.create", "draft", .allow),
            Cell("estimator", "project.create", "approved", .allow),
            Cell("estimator", "project.create", "own", .allow),
            Cell("estimator", "project.create", "other", .allow),
            Cell("estimator", "project.edit", "draft", .allow),
            Cell("estimator", "project.edit", "approved", .allow),
            Cell("estimator", "project.edit", "own", .allow),
            Cell("estimator", "project.edit", "other", .allow),
            Cell("estimator", "project.delete", "draft", .deny403),
            Cell("estimator", "project.delete", "approved", .deny403),
            Cell("estimator", "project.delete", "own", .deny403),
            Cell("estimator", "project.delete", "other", .deny403),
            Cell("estimator", "project.view", "draft", .allow),
            Cell("estimator", "project.view", "approved", .allow),
            Cell("estimator", "project.view", "own", .allow),
            Cell("estimator", "project.view", "other", .allow),
            Cell("estimator", "calculation.run", "draft", .allow),
            Cell("estimator", "calculation.run", "approved", .allow),
            Cell("estimator", "calculation.run", "own", .allow),
            Cell("estimator", "calculation.run", "other", .allow),
            Cell("estimator", "calculation.view", "draft", .allow),
            Cell("estimator", "calculation.view", "approved", .allow),
            Cell("estimator", "calculation.view", "own", .allow),
            Cell("estimator", "calculation.view", "other", .allow),
            Cell("estimator", "file.upload", "draft", .allow),
            Cell("estimator", "file.upload", "approved", .allow),
            Cell("estimator", "file.upload", "own", .allow),
            Cell("estimator", "file.upload", "other", .allow),
            Cell("estimator", "file.delete", "draft", .deny403),
            Cell("estimator", "file.delete", "approved", .deny403),
            Cell("estimator", "file.delete", "own", .deny403),
            Cell("estimator", "file.delete", "other", .deny403),
            Cell("estimator", "file.view", "draft", .allow),
            Cell("estimator", "file.view", "approved", .allow),
            Cell("estimator", "file.view", "own", .allow),
            Cell("estimator", "file.view", "other", .allow),
            Cell("estimator", "calculation.approve", "draft+pe", .deny403),
            Cell("estimator", "calculation.approve", "draft+expired", .deny403),
            Cell("estimator", "calculation.approve", "draft+nope", .deny403),
            Cell("estimator", "calculation.approve", "approved+pe", .deny403),
            Cell("estimator", "calculation.approve", "own+pe", .deny403),
            Cell("estimator", "calculation.approve", "other+pe", .deny403),
            Cell("estimator", "user.invite", "member", .deny403),
            Cell("estimator", "user.remove", "member", .deny403),
            Cell("estimator", "user.view", "member", .allow),
            Cell("estimator", "account.billing", "account", .deny403),
            Cell("estimator", "account.manage", "account", .deny403),
            Cell("estimator", "user.view", "account", .allow),
            Cell("fabricator", "project.create", "draft", .deny403),
            Cell("fabricator", "project.create", "approved", .deny403),
            Cell("fabricator", "project.create", "own", .deny403),
            Cell("fabricator", "project.create", "other", .deny403),
            Cell("fabricator", "project.edit", "draft", .deny404),
            Cell("fabricator", "project.edit", "approved", .deny403),
            Cell("fabricator", "project.edit", "own", .deny404),
            Cell("fabricator", "project.edit", "other", .deny404),
            Cell("fabricator", "project.delete", "draft", .deny404),
            Cell("fabricator", "project.delete", "approved", .deny403),
            Cell("fabricator", "project.delete", "own", .deny404),
            Cell("fabricator", "project.delete", "other", .deny404),
            Cell("fabricator", "project.view", "draft", .deny404),
            Cell("fabricator", "project.view", "approved", .allow),
            Cell("fabricator", "project.view", "own", .deny404),
            Cell("fabricator", "project.view", "other", .deny404),
            Cell("fabricator", "calculation.run", "draft", .deny404),
            Cell("fabricator", "calculation.run", "approved", .deny403),
            Cell("fabricator", "calculation.run", "own", .deny404),
            Cell("fabricator", "calculation.run", "other", .deny404),
            Cell("fabricator", "calculation.view", "draft", .deny404),
            Cell("fabricator", "calculation.view", "approved", .allow),
            Cell("fabricator", "calculation.view", "own", .deny404),
            Cell("fabricator", "calculation.view", "other", .deny404),
            Cell("fabricator", "file.upload", "draft", .deny404),
            Cell("fabricator", "file.upload", "approved", .deny403),
            Cell("fabricator", "file.upload", "own", .deny404),
            Cell("fabricator", "file.upload", "other", .deny404),
            Cell("fabricator", "file.delete", "draft", .deny404),
            Cell("fabricator", "file.delete", "approved", .deny403),
            Cell("fabricator", "file.delete", "own", .deny404),
            Cell("fabricator", "file.delete", "other", .deny404),
            Cell("fabricator", "file.view", "draft", .deny404),
            Cell("fabricator", "file.view", "approved", .allow),
            Cell("fabricator", "file.view", "own", .deny404),
            Cell("fabricator", "file.view", "other", .deny404),
            Cell("fabricator", "calculation.approve", "draft+pe", .deny404),
            Cell("fabricator", "calculation.approve", "draft+expired", .deny404),
            Cell("fabricator", "calculation.approve", "draft+nope", .deny404),
            Cell("fabricator", "calculation.approve", "approved+pe", .deny403),
            Cell("fabricator", "calculation.approve", "own+pe", .deny404),
            Cell("fabricator", "calculation.approve", "other+pe", .deny404),
            Cell("fabricator", "user.invite", "member", .deny403),
            Cell("fabricator", "user.remove", "member", .deny403),
            Cell("fabricator", "user.view", "member", .deny403),
            Cell("fabricator", "account.billing", "account", .deny403),
            Cell("fabricator", "account.manage", "account", .deny403),
            Cell("fabricator", "user.view", "account", .deny403),
            Cell("client", "project.create", "draft", .deny403),
            Cell("client", "project.create", "approved", .deny403),
            Cell("client", "project.create", "own", .deny403),
            Cell("client", "project.create", "other", .deny403),
            Cell("client", "project.edit", "draft", .deny404),
            Cell("client", "project.edit", "approved", .deny404),
            Cell("client", "project.edit", "own", .deny403),
            Cell("client", "project.edit", "other", .deny404),
            Cell("client", "project.delete", "draft", .deny404),
            Cell("client", "project.delete", "approved", .deny404),
            Cell("client", "project.delete", "own", .deny403),
            Cell("client", "project.delete", "other", .deny404),
            Cell("client", "project.view", "draft", .deny404),
            Cell("client", "project.view", "approved", .deny404),
            Cell("client", "project.view", "own", .allow),
            Cell("client", "project.view", "other", .deny404),
            Cell("client", "calculation.run", "draft", .deny404),
            Cell("client", "calculation.run", "approved", .deny404),
            Cell("client", "calculation.run", "own", .deny403),
            Cell("client", "calculation.run", "other", .deny404),
            Cell("client", "calculation.view", "draft", .deny404),
            Cell("client", "calculation.view", "approved", .deny404),
            Cell("client", "calculation.view", "own", .allow),
            Cell("client", "calculation.view", "other", .deny404),
            Cell("client", "file.upload", "draft", .deny404),
            Cell("client", "file.upload", "approved", .deny404),
            Cell("client", "file.upload", "own", .deny403),
            Cell("client", "file.upload", "other", .deny404),
            Cell("client", "file.delete", "draft", .deny404),
            Cell("client", "file.delete", "approved", .deny404),
            Cell("client", "file.delete", "own", .deny403),
            Cell("client", "file.delete", "other", .deny404),
            Cell("client", "file.view", "draft", .deny404),
            Cell("client", "file.view", "approved", .deny404),
            Cell("client", "file.view", "own", .allow),
            Cell("client", "file.view", "other", .deny404),
            Cell("client", "calculation.approve", "draft+pe", .deny404),
            Cell("client", "calculation.approve", "draft+expired", .deny404),
            Cell("client", "calculation.approve", "draft+nope", .deny404),
            Cell("client", "calculation.approve", "approved+pe", .deny404),
            Cell("client", "calculation.approve", "own+pe", .deny403),
            Cell("client", "calculation.approve", "other+pe", .deny404),
            Cell("client", "user.invite", "member", .deny403),
            Cell("client", "user.remove", "member", .deny403),
            Cell("client", "user.view", "member", .deny403),
            Cell("client", "account.billing", "account", .deny403),
            Cell("client", "account.manage", "account", .deny403),
            Cell("client", "user.view", "account", .deny403),
        ]

        @Test(arguments: table)
        func cell(_ cell: Cell) throws {
            let (principal, action, resource) = try cell.scenario()
            let decision = AccessPolicy.decide(principal, action, resource, Fixture.context())
            switch cell.expect {
            case .allow:
                #expect(decision.isAllowed, "\(decision)")
            case .deny403:
                #expect(decision.denial?.code == .roleForbids, "\(decision)")
                #expect(decision.denial?.concealsExistence == false)
            case .deny404:
                #expect(decision.denial?.code == .notVisible, "\(decision)")
                #expect(decision.denial?.concealsExistence == true)
            case .peMissing:
                #expect(decision.denial?.code == .peLicenseMissing, "\(decision)")
                #expect(decision.denial?.concealsExistence == false)
            case .peExpired:
                #expect(decision.denial?.code == .peLicenseExpired, "\(decision)")
                #expect(decision.denial?.concealsExistence == false)
            }
        }

        @Test func tableCoversEveryRoleAndPermission() throws {
            var covered = Set<String>()
            for cell in Self.table {
                let role = try #require(Role(rawValue: cell.role), "unknown role \(cell.role)")
                let action = try #require(
                    Permission(rawValue: cell.permission), "unknown permission \(cell.permission)")
                covered.insert("\(role.rawValue) \(action.rawValue)")
            }
            #expect(covered.count == Role.allCases.count * Permission.allCases.count)
        }

        @Test func permissionsForRole() {
            #expect(AccessPolicy.permissions(for: .owner) == Permission.allCases)
            #expect(
                AccessPolicy.permissions(for: .admin) == [
                    .projectCreate, .projectEdit, .projectDelete, .projectView, .calculationRun, .calculationApprove,
                    .calculationView, .userInvite, .userRemove, .userView, .fileUpload, .fileDelete, .fileView,
                ])
            #expect(
                AccessPolicy.permissions(for: .engineer) == [
                    .projectView, .calculationRun, .calculationApprove, .calculationView, .userView, .fileUpload,
                    .fileView,
                ])
            #expect(
                AccessPolicy.permissions(for: .estimator) == [
                    .projectCreate, .projectEdit, .projectView, .calculationRun, .calculationView, .userView,
                    .fileUpload, .fileView,
                ])
            #expect(AccessPolicy.permissions(for: .fabricator) == [.projectView, .calculationView, .fileView])
            #expect(AccessPolicy.permissions(for: .client) == [.projectView, .calculationView, .fileView])
        }
    }
}

extension AccessPolicyTests.Matrix {
    /// What a matrix cell must decide.
    enum Expect: String, Sendable {
        case allow, deny403, deny404, peMissing, peExpired
    }

    /// One matrix cell: role, permission, resource state, expected outcome.
    struct Cell: Sendable, CustomTestStringConvertible {
        let role: String
        let permission: String
        let state: String
        let expect: Expect

        init(_ role: String, _ permission: String, _ state: String, _ expect: Expect) {
            self.role = role
            self.permission = permission
            self.state = state
            self.expect = expect
        }

        var testDescription: String { "\(role) \(permission) \(state) -> \(expect.rawValue)" }

        func scenario() throws -> (Principal, Permission, Resource) {
            let role = try #require(Role(rawValue: role))
            let action = try #require(Permission(rawValue: permission))
            let parts = state.split(separator: "+").map(String.init)
            let license: PELicense? =
                switch parts.count > 1 ? parts[1] : "nope" {
                case "pe": Fixture.valid
                case "expired": Fixture.expired
                default: nil
                }
            let id: UUID? = action == .projectCreate ? nil : Fixture.projectID
            let resource: Resource
            switch parts[0] {
            case "draft": resource = Fixture.project(.draft, id: id)
            case "approved": resource = Fixture.project(.approved, id: id)
            case "own": resource = Fixture.project(.draft, client: Fixture.actor, id: id)
            case "other": resource = Fixture.project(.draft, client: Fixture.otherClient, id: id)
            case "member": resource = Fixture.user(.estimator)
            case "account": resource = .account(accountID: Fixture.account)
            default: throw UnknownState(state: state)
            }
            return (Fixture.principal(role, pe: license), action, resource)
        }

        struct UnknownState: Error { let state: String }
    }
}

/// Ids, licenses and builders shared by the policy tests.
private enum Fixture {
    static let account = UUID(uuidString: "A0000000-0000-0000-0000-000000000001")!
    static let otherAccount = UUID(uuidString: "A0000000-0000-0000-0000-000000000002")!
    static let actor = UUID(uuidString: "B0000000-0000-0000-0000-000000000001")!
    static let otherClient = UUID(uuidString: "B0000000-0000-0000-0000-000000000002")!
    static let target = UUID(uuidString: "B0000000-0000-0000-0000-000000000003")!
    static let projectID = UUID(uuidString: "C0000000-0000-0000-0000-000000000001")!
    /// 2026-02-01T12:00:00Z.
    static let now = Timestamp.parse("2026-02-01T12:00:00Z")!
    /// Licenses in effect: recorded by another owner or admin (``target``).
    static let valid = PELicense(number: "123", state: "TX", expiresOn: CivilDate(year: 2027, month: 1, day: 1), confirmedBy: target)
    static let expired = PELicense(number: "123", state: "TX", expiresOn: CivilDate(year: 2026, month: 1, day: 1), confirmedBy: target)

    static func principal(_ role: Role, pe: PELicense? = nil, account: UUID = account) -> Principal {
        Principal(userID: actor, accountID: account, role: role, peLicense: pe)
    }

    static func project(
        _ status: ProjectStatus, client: UUID? = nil, id: UUID? = projectID, account: UUID = account,
        deleted: Bool = false
    ) -> Resource {
        .project(ProjectResource(accountID: account, projectID: id, status: status, clientID: client, deleted: deleted))
    }

    static func user(_ role: Role, account: UUID = account) -> Resource {
        .user(UserResource(accountID: account, userID: target, role: role))
    }

    static func context(
        ownerCount: Int = 2, newRole: Role? = nil, newStatus: ProjectStatus? = nil, now: Date = now
    ) -> AccessContext {
        AccessContext(now: now, ownerCount: ownerCount, newRole: newRole, newStatus: newStatus)
    }
}

extension AccessPolicyTests {
    /// Rules beyond the matrix: accounts, owners, archiving, PE expiry.
    struct Rules {
        @Test(arguments: Role.allCases, Permission.allCases)
        func anotherAccountIsConcealed(role: Role, action: Permission) {
            let principal = Fixture.principal(role, pe: Fixture.valid)
            let resources: [Resource] = [
                .account(accountID: Fixture.otherAccount),
                Fixture.project(.approved, client: Fixture.actor, account: Fixture.otherAccount),
                Fixture.project(.draft, id: nil, account: Fixture.otherAccount),
                Fixture.user(.engineer, account: Fixture.otherAccount),
            ]
            for resource in resources {
                let decision = AccessPolicy.decide(principal, action, resource, Fixture.context())
                #expect(decision.denial?.code == .crossAccount, "\(decision)")
                #expect(decision.denial?.concealsExistence == true)
            }
        }

        @Test func lastOwnerCannotBeRemovedOrDemoted() {
            let owner = Fixture.principal(.owner)
            let lastOwner = Fixture.user(.owner)
            let remove = AccessPolicy.decide(owner, .userRemove, lastOwner, Fixture.context(ownerCount: 1))
            #expect(remove.denial?.code == .lastOwner)
            #expect(remove.denial?.message.contains("last owner") == true)
            let demote = AccessPolicy.decide(
                owner, .userInvite, lastOwner, Fixture.context(ownerCount: 1, newRole: .admin))
            #expect(demote.denial?.code == .lastOwner)
            let keep = AccessPolicy.decide(
                owner, .userInvite, lastOwner, Fixture.context(ownerCount: 1, newRole: .owner))
            #expect(keep.isAllowed)
            // With a second owner, either may go.
            #expect(AccessPolicy.decide(owner, .userRemove, lastOwner, Fixture.context(ownerCount: 2)).isAllowed)
            #expect(
                AccessPolicy.decide(owner, .userInvite, lastOwner, Fixture.context(ownerCount: 2, newRole: .engineer))
                    .isAllowed)
            // Removing a non-owner is never a last-owner case.
            #expect(
                AccessPolicy.decide(owner, .userRemove, Fixture.user(.admin), Fixture.context(ownerCount: 1)).isAllowed)
        }

        @Test func onlyOwnerMakesOrUnmakesOwners() {
            let admin = Fixture.principal(.admin)
            let owner = Fixture.principal(.owner)
            let promote = Fixture.context(newRole: .owner)
            #expect(
                AccessPolicy.decide(admin, .userInvite, Fixture.user(.engineer), promote).denial?.code == .ownerOnly)
            #expect(AccessPolicy.decide(owner, .userInvite, Fixture.user(.engineer), promote).isAllowed)
            let demote = Fixture.context(ownerCount: 2, newRole: .admin)
            #expect(AccessPolicy.decide(admin, .userInvite, Fixture.user(.owner), demote).denial?.code == .ownerOnly)
            #expect(AccessPolicy.decide(owner, .userInvite, Fixture.user(.owner), demote).isAllowed)
            #expect(
                AccessPolicy.decide(admin, .userRemove, Fixture.user(.owner), Fixture.context()).denial?.code
                    == .ownerOnly)
            // Inviting someone as owner.
            #expect(
                AccessPolicy.decide(admin, .userInvite, Fixture.user(.owner), Fixture.context()).denial?.code
                    == .ownerOnly)
            // Admins manage everyone else.
            let change = Fixture.context(newRole: .estimator)
            #expect(AccessPolicy.decide(admin, .userInvite, Fixture.user(.engineer), change).isAllowed)
            #expect(AccessPolicy.decide(admin, .userRemove, Fixture.user(.admin), Fixture.context()).isAllowed)
            // The owner rule does not lift the matrix: an engineer still may not invite.
            #expect(
                AccessPolicy.decide(Fixture.principal(.engineer), .userInvite, Fixture.user(.engineer), promote)
                    .denial?.code == .roleForbids)
        }

        @Test func archivedProjectIsReadOnly() {
            let archived = Fixture.project(.archived)
            let plain = Fixture.context()
            for role in [Role.owner, .admin, .engineer, .estimator] {
                let principal = Fixture.principal(role, pe: Fixture.valid)
                for action in [Permission.calculationRun, .fileUpload, .calculationApprove, .fileDelete, .projectEdit, .projectDelete]
                where AccessPolicy.permissions(for: role).contains(action) {
                    let decision = AccessPolicy.decide(principal, action, archived, plain)
                    #expect(decision.denial?.code == .readOnly, "\(role) \(action): \(decision)")
                    #expect(decision.denial?.concealsExistence == false)
                }
                for action in [Permission.projectView, .calculationView, .fileView] {
                    #expect(AccessPolicy.decide(principal, action, archived, plain).isAllowed)
                }
            }
            // Fabricators do not see archived projects at all.
            let fabricator = AccessPolicy.decide(Fixture.principal(.fabricator), .projectView, archived, plain)
            #expect(fabricator.denial?.concealsExistence == true)
        }

        @Test func onlyOwnerOrAdminArchivesAndRestores() {
            let archive = Fixture.context(newStatus: .archived)
            let restore = Fixture.context(newStatus: .completed)
            for role in [Role.owner, .admin] {
                let principal = Fixture.principal(role)
                let archived = AccessPolicy.decide(principal, .projectEdit, Fixture.project(.approved), archive)
                #expect(archived.rule?.contains("archive") == true, "\(archived)")
                #expect(AccessPolicy.decide(principal, .projectEdit, Fixture.project(.archived), restore).isAllowed)
                #expect(
                    AccessPolicy.decide(principal, .projectEdit, Fixture.project(.archived), archive).denial?.code
                        == .readOnly)
            }
            let estimator = Fixture.principal(.estimator)
            let archiving = AccessPolicy.decide(estimator, .projectEdit, Fixture.project(.draft), archive)
            #expect(archiving.denial?.code == .roleForbids)
            #expect(archiving.denial?.message.contains("archive") == true)
            #expect(
                AccessPolicy.decide(estimator, .projectEdit, Fixture.project(.archived), restore).denial?.code
                    == .readOnly)
            // Other status changes stay with the matrix.
            #expect(
                AccessPolicy.decide(
                    estimator, .projectEdit, Fixture.project(.draft), Fixture.context(newStatus: .estimating)
                )
                .isAllowed)
        }

        @Test func peLicenseValidThroughItsExpiryDay() throws {
            let engineer = { (expires: CivilDate) in
                Fixture.principal(.engineer, pe: PELicense(number: "123", state: "TX", expiresOn: expires, confirmedBy: Fixture.target))
            }
            let today = CivilDate(year: 2026, month: 2, day: 1)
            let yesterday = CivilDate(year: 2026, month: 1, day: 31)
            let project = Fixture.project(.submitted)
            let lastSecond = try #require(Timestamp.parse("2026-02-01T23:59:59.999999Z"))
            let nextMidnight = try #require(Timestamp.parse("2026-02-02T00:00:00Z"))

            let expiresToday = AccessPolicy.decide(engineer(today), .calculationApprove, project, Fixture.context())
            #expect(expiresToday.isAllowed, "\(expiresToday)")
            #expect(expiresToday.rule?.contains("TX-123") == true)
            #expect(
                AccessPolicy.decide(engineer(today), .calculationApprove, project, Fixture.context(now: lastSecond))
                    .isAllowed)
            let nextDay = AccessPolicy.decide(
                engineer(today), .calculationApprove, project, Fixture.context(now: nextMidnight))
            #expect(nextDay.denial?.code == .peLicenseExpired)

            let expired = AccessPolicy.decide(engineer(yesterday), .calculationApprove, project, Fixture.context())
            let denial = try #require(expired.denial)
            #expect(denial.code == .peLicenseExpired)
            #expect(denial.message == "PE license TX-123 expired on 2026-01-31, before 2026-02-01")
            #expect(!denial.concealsExistence)

            let none = AccessPolicy.decide(Fixture.principal(.owner), .calculationApprove, project, Fixture.context())
            #expect(none.denial?.code == .peLicenseMissing)
            #expect(none.denial?.message.contains("PE license") == true)
        }

        @Test func decisionsExplainThemselves() {
            let denied = AccessPolicy.decide(
                Fixture.principal(.engineer), .projectDelete, Fixture.project(.draft), Fixture.context())
            #expect(denied.denial?.message == "engineer may not project.delete")
            #expect(denied.denial?.code.description == "role_forbids")
            #expect(!denied.isAllowed && denied.rule == nil)
            let allowed = AccessPolicy.decide(
                Fixture.principal(.fabricator), .projectView, Fixture.project(.inFabrication), Fixture.context())
            #expect(allowed.rule == "fabricator may project.view: project is approved")
            #expect(allowed.denial == nil)
            #expect(Denial.Code.crossAccount.description == "cross_account")
            #expect(Denial.Code.notVisible.description == "not_visible")
        }

        @Test func deletedProjectsAreHiddenFromFabricatorsAndClients() {
            let fabricator = Fixture.principal(.fabricator)
            let client = Fixture.principal(.client)
            let deletedApproved = Fixture.project(.approved, client: Fixture.actor, deleted: true)
            #expect(
                AccessPolicy.decide(fabricator, .fileView, deletedApproved, Fixture.context()).denial?.concealsExistence
                    == true)
            #expect(
                AccessPolicy.decide(client, .fileView, deletedApproved, Fixture.context()).denial?.concealsExistence
                    == true)
        }

        @Test func permissionOnWrongKindOfResourceIsDenied() {
            let owner = Fixture.principal(.owner)
            #expect(
                AccessPolicy.decide(owner, .projectView, .account(accountID: Fixture.account), Fixture.context())
                    .denial?.code == .noRule)
            #expect(
                AccessPolicy.decide(owner, .accountBilling, Fixture.project(.draft), Fixture.context())
                    .denial?.code == .noRule)
            #expect(
                AccessPolicy.decide(owner, .userRemove, .account(accountID: Fixture.account), Fixture.context())
                    .denial?.code == .noRule)
        }
    }
}

extension AccessPolicyTests {
    /// Invariants over random role × action × resource × context.
    struct Properties {
        @Test func anotherAccountIsAlwaysDenied() async {
            await propertyCheck(
                count: 500, input: Gen<Principal>.principal, Gen<Permission>.case, Gen<Resource>.resource,
                Gen<AccessContext>.context
            ) {
                principal, action, resource, context in
                let foreign = resource.moved(to: Fixture.otherAccount)
                let decision = AccessPolicy.decide(principal, action, foreign, context)
                #expect(decision.denial?.code == .crossAccount, "\(decision)")
                #expect(decision.denial?.concealsExistence == true)
            }
        }

        @Test func allowedOnlyWhatTheMatrixGrants() async {
            await propertyCheck(
                count: 2000, input: Gen<Principal>.principal, Gen<Permission>.case, Gen<Resource>.resource,
                Gen<AccessContext>.context
            ) {
                principal, action, resource, context in
                let decision = AccessPolicy.decide(principal, action, resource, context)
                switch decision {
                case .allowed(let rule):
                    let grant = AccessPolicy.matrix[principal.role]?[action]
                    #expect(grant != nil, "\(principal.role) \(action) allowed by \(rule)")
                    #expect(resource.accountID == principal.accountID)
                    #expect(!rule.isEmpty)
                    if grant == .withPELicense {
                        let license = principal.peLicense
                        #expect(license != nil && license!.expiresOn >= CivilDate(containing: context.now))
                    }
                case .denied(let denial):
                    #expect(!denial.message.isEmpty)
                    if denial.concealsExistence {
                        #expect(denial.code == .crossAccount || denial.code == .notVisible, "\(denial)")
                    }
                }
            }
        }

        @Test func outsidersNeverChangeAnything() async {
            await propertyCheck(
                count: 500, input: Gen<Principal>.principal, Gen<Permission>.case, Gen<Resource>.resource,
                Gen<AccessContext>.context
            ) {
                principal, action, resource, context in
                guard principal.role == .fabricator || principal.role == .client else { return }
                let reads: Set<Permission> = [.projectView, .calculationView, .fileView]
                if !reads.contains(action) {
                    #expect(!AccessPolicy.decide(principal, action, resource, context).isAllowed)
                }
            }
        }
    }
}

extension Resource {
    fileprivate func moved(to account: UUID) -> Resource {
        switch self {
        case .account: return .account(accountID: account)
        case .project(var project):
            project.accountID = account
            return .project(project)
        case .user(var user):
            user.accountID = account
            return .user(user)
        case .auditTrail: return .auditTrail(accountID: account)
        }
    }
}

/// Users of the fixture account (all the actor), with no, a valid, an expired or an expiring-today license.
extension Gen where Value == Principal {
    fileprivate static var principal: Generator<Principal, AnySequence<Any>> {
        zip(Gen<Role>.case, Gen<Int>.int(in: 0...3)).map { pair in
            let licenses: [PELicense?] = [
                nil, Fixture.valid, Fixture.expired,
                PELicense(number: "9", state: "CA", expiresOn: CivilDate(containing: Fixture.now), confirmedBy: Fixture.target),
            ]
            return Fixture.principal(pair.0, pe: licenses[pair.1])
        }.eraseToAny()
    }
}

/// Resources of either account; projects in any status, for the actor, another client or none.
extension Gen where Value == Resource {
    fileprivate static var resource: Generator<Resource, AnySequence<Any>> {
        zip(
            Gen<Int>.int(in: 0...2), Gen<Bool>.bool, Gen<ProjectStatus>.case, Gen<Int>.int(in: 0...2),
            Gen<Bool>.bool(0.2), Gen<Bool>.bool(0.8), Gen<Role>.case
        ).map { value in
            let (kind, ownAccount, status, client, deleted, exists, targetRole) = value
            let account = ownAccount ? Fixture.account : Fixture.otherAccount
            let clients: [UUID?] = [nil, Fixture.actor, Fixture.otherClient]
            switch kind {
            case 0: return Resource.account(accountID: account)
            case 1:
                return Fixture.project(
                    status, client: clients[client], id: exists ? Fixture.projectID : nil, account: account,
                    deleted: deleted)
            default: return Fixture.user(targetRole, account: account)
            }
        }.eraseToAny()
    }
}

/// Contexts at a fixed time, with 0-3 owners and maybe a role or status change.
extension Gen where Value == AccessContext {
    fileprivate static var context: Generator<AccessContext, AnySequence<Any>> {
        zip(Gen<Int>.int(in: 0...3), Gen<Role>.case.optional, Gen<ProjectStatus>.case.optional).map { value in
            Fixture.context(ownerCount: value.0, newRole: value.1, newStatus: value.2)
        }.eraseToAny()
    }
}

extension AccessPolicyTests {
    /// GDPR Art. 15/20: every role may see what is held about themselves, and only themselves.
    struct OwnData {
        @Test(arguments: Role.allCases)
        func everyRoleMaySeeItsOwnUser(role: Role) {
            let principal = Fixture.principal(role)
            let own = Resource.user(UserResource(accountID: Fixture.account, userID: principal.userID, role: role))
            #expect(AccessPolicy.decide(principal, .userView, own, Fixture.context()).denial == nil)
            // Only seeing: a role without `user.remove` still may not remove (or erase) itself.
            if AccessPolicy.matrix[role]?[.userRemove] == nil {
                #expect(AccessPolicy.decide(principal, .userRemove, own, Fixture.context()).denial?.code == .roleForbids)
            }
            // Their own user in another account is another account's resource.
            let elsewhere = Resource.user(UserResource(accountID: Fixture.otherAccount, userID: principal.userID, role: role))
            #expect(AccessPolicy.decide(principal, .userView, elsewhere, Fixture.context()).denial?.code == .crossAccount)
        }
    }
}
