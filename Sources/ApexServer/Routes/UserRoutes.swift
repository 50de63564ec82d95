import ApexDomain
import ApexMail
import ApexStore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Invitations and users: `POST /v1/invitations`, `GET /v1/users`, `PATCH`/`DELETE /v1/users/{id}`,
/// `POST /v1/users/{id}/pe-license/confirm`.
struct UserRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.post("invitations") { request, context in try await invite(request, context) }
        router.get("users") { _, context in
            let me = try context.requireIdentity()
            try await api.gate.authorize(me, .userView, .account(accountID: me.principal.accountID), resourceName: "users", context: context)
            let account = try await api.directory.state(of: me.principal.accountID)
            return Response.json(["items": .array(account.activeUsers.map(Present.user))])
        }
        router.patch("users/:id") { request, context in try await update(request, context) }
        router.delete("users/:id") { request, context in try await remove(request, context) }
        router.post("users/:id/pe-license/confirm") { request, context in try await confirmLicense(request, context) }
    }

    private func invite(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let me = try context.requireIdentity()
        // The permission first (audited when denied), the owner rules once the role is read.
        try await api.gate.authorize(
            me, .userInvite, .user(UserResource(accountID: me.principal.accountID, userID: UUID(), role: .client)),
            resourceName: "invitation", context: context)
        let body = try await BodyReader.read(request, limit: api.configuration.bodyLimit).only(["email", "role", "name"])
        let email = try body.requiredString("email")
        guard let role = try body.enumValue("role", Role.self) else { throw APIError.badRequest("'role' is required", code: "missing_field", field: "role") }
        let userID = UUID()
        let account = try await api.directory.state(of: me.principal.accountID)
        try await api.gate.authorize(
            me, .userInvite, .user(UserResource(accountID: me.principal.accountID, userID: userID, role: role)),
            resourceName: "invitation", context: context, newRole: role, ownerCount: account.ownerCount)
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let token = "\(me.principal.accountID.lowercased).\(secret)"
        let now = api.configuration.clock()
        let expiresAt = now.addingTimeInterval(TimeInterval(api.configuration.invitationLifetime.components.seconds))
        let invitationID = UUID()
        let drafts = try AccountDecider.decide(
            .invite(invitationID: invitationID, userID: userID, email: email, name: try body.string("name"), role: role,
                    tokenHash: Self.hash(token), expiresAt: expiresAt),
            state: account, context: DecisionContext(now: now))
        // The email consumer puts the token in the invitation's message (the log keeps only its hash).
        try await api.mail.rememberInvitationToken(token, invitation: invitationID)
        _ = try await api.append(drafts, to: .account(me.principal.accountID), expected: .exact(account.version),
                                 account: me.principal.accountID, actor: .user(me.principal.userID), context: context)
        return Response.json(
            ["invitation_id": .string(invitationID.lowercased), "user_id": .string(userID.lowercased), "token": .string(token),
             "expires_at": .string(Timestamp.format(expiresAt))], status: .created)
    }

    private func update(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let me = try context.requireIdentity()
        let userID = try request.uuidParameter("id", context)
        let account = try await api.directory.state(of: me.principal.accountID)
        guard let target = account.users[userID], !target.removed else { throw APIError.notFound }
        try await api.gate.authorize(
            me, .userInvite, .user(UserResource(accountID: me.principal.accountID, userID: userID, role: target.role)),
            resourceName: "user/\(userID.lowercased)", context: context, ownerCount: account.ownerCount)
        let body = try await BodyReader.read(request, limit: api.configuration.bodyLimit).only(["role", "pe_license"])
        let newRole = try body.enumValue("role", Role.self)
        try await api.gate.authorize(
            me, .userInvite, .user(UserResource(accountID: me.principal.accountID, userID: userID, role: target.role)),
            resourceName: "user/\(userID.lowercased)", context: context, newRole: newRole ?? target.role, ownerCount: account.ownerCount)
        var drafts: [DraftEvent] = []
        let ctx = DecisionContext(now: api.configuration.clock())
        if let newRole { drafts += try AccountDecider.decide(.changeRole(userID: userID, to: newRole), state: account, context: ctx) }
        if body.has("pe_license") {
            // In effect when recorded by an owner or admin other than the licensee; pending when it is their own.
            drafts += try AccountDecider.decide(
                .setPELicense(userID: userID, license: try body.peLicense("pe_license"), by: me.principal.userID), state: account, context: ctx)
        }
        return try await appendAndPresent(drafts, account: account, user: userID, me, context)
    }

    /// Puts a user's pending (self-declared) PE license in effect: an owner or admin other than the licensee.
    private func confirmLicense(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let me = try context.requireIdentity()
        let userID = try request.uuidParameter("id", context)
        let account = try await api.directory.state(of: me.principal.accountID)
        guard let target = account.users[userID], !target.removed else { throw APIError.notFound }
        try await api.gate.authorize(
            me, .userInvite, .user(UserResource(accountID: me.principal.accountID, userID: userID, role: target.role)),
            resourceName: "user/\(userID.lowercased)", context: context, ownerCount: account.ownerCount, confirmsPELicense: true)
        let drafts = try AccountDecider.decide(
            .confirmPELicense(userID: userID, by: me.principal.userID), state: account, context: DecisionContext(now: api.configuration.clock()))
        return try await appendAndPresent(drafts, account: account, user: userID, me, context)
    }

    /// Appends a change of one user (nothing when `drafts` is empty) to the account stream at the
    /// version it was decided on, and answers with the user as they are after it.
    private func appendAndPresent(
        _ drafts: [DraftEvent], account: AccountState, user userID: UUID, _ me: Identity, _ context: ApexRequestContext
    ) async throws -> Response {
        if !drafts.isEmpty {
            _ = try await api.append(drafts, to: .account(me.principal.accountID), expected: .exact(account.version),
                                     account: me.principal.accountID, actor: .user(me.principal.userID), context: context)
        }
        let updated = try await api.directory.state(of: me.principal.accountID)
        return Response.json(Present.user(updated.users[userID]!))
    }

    private func remove(_ request: Request, _ context: ApexRequestContext) async throws -> Response {
        let me = try context.requireIdentity()
        let userID = try request.uuidParameter("id", context)
        let account = try await api.directory.state(of: me.principal.accountID)
        guard let target = account.users[userID], !target.removed else { throw APIError.notFound }
        try await api.gate.authorize(
            me, .userRemove, .user(UserResource(accountID: me.principal.accountID, userID: userID, role: target.role)),
            resourceName: "user/\(userID.lowercased)", context: context, ownerCount: account.ownerCount)
        let reason = try ProjectRoutes.reason(try await BodyReader.collect(request, limit: api.configuration.bodyLimit))
        let drafts = try AccountDecider.decide(.remove(userID: userID, reason: reason), state: account,
                                               context: DecisionContext(now: api.configuration.clock()))
        _ = try await api.append(drafts, to: .account(me.principal.accountID), expected: .exact(account.version),
                                 account: me.principal.accountID, actor: .user(me.principal.userID), context: context)
        return Response(status: .noContent)
    }

    static func hash(_ token: String) -> String { EventHash.hex(SHA256.hash(data: Data(token.utf8))) }
}

/// `POST /v1/invitations/accept`: the one-time token is the credential.
struct InvitationAcceptRoute {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.post("invitations/accept") { request, context in
            let body = try await BodyReader.read(request, limit: api.configuration.bodyLimit).only(["token", "name", "pe_license"])
            let joined = try await Self.accept(
                api, token: try body.requiredString("token"), name: try body.requiredString("name"), peLicense: try body.peLicense("pe_license"),
                context: context)
            return Response.json(
                ["user_id": .string(joined.userID.lowercased), "account_id": .string(joined.accountID.lowercased), "role": .string(joined.role.rawValue),
                 "token": .string(try await api.issueToken(user: joined.userID, account: joined.accountID))], status: .created)
        }
    }

    /// Accepts the invitation whose one-time `token` this is (404 when there is none, or it was
    /// used), recording `user.joined`: for this route and the web page `/ui/invitations/accept`.
    static func accept(
        _ api: ApexAPI, token: String, name: String, peLicense: PELicense?, context: ApexRequestContext
    ) async throws -> (userID: UUID, accountID: UUID, role: Role) {
        guard let dot = token.firstIndex(of: "."), let accountID = UUID(uuidString: String(token[..<dot])) else {
            throw APIError(.notFound, code: "not_found", "the invitation does not exist or was used already")
        }
        let account = try await api.directory.state(of: accountID)
        guard account.id != nil else { throw APIError(.notFound, code: "not_found", "the invitation does not exist or was used already") }
        let drafts = try AccountDecider.decide(
            .accept(tokenHash: UserRoutes.hash(token), name: name, peLicense: peLicense),
            state: account, context: DecisionContext(now: api.configuration.clock()))
        let joined = try CanonicalJSON.decode(UserJoined.self, from: drafts[0].data)
        _ = try await api.append(drafts, to: .account(accountID), expected: .exact(account.version), account: accountID,
                                 actor: .user(joined.userID), context: context)
        return (joined.userID, accountID, account.invitations[joined.invitationID]?.role ?? .client)
    }
}
