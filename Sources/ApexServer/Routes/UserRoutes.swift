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
        let name = try body.string("name")
        let (userID, invitationID) = (UUID(), UUID())
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let token = "\(me.principal.accountID.lowercased).\(secret)"
        let now = api.configuration.clock()
        let expiresAt = now.addingTimeInterval(TimeInterval(api.configuration.invitationLifetime.components.seconds))
        try await api.changeAccount(me.principal.accountID, context) { account in
            try await api.gate.authorize(
                me, .userInvite, .user(UserResource(accountID: me.principal.accountID, userID: userID, role: role)),
                resourceName: "invitation", context: context, newRole: role, ownerCount: account.ownerCount)
            let drafts = try AccountDecider.decide(
                .invite(invitationID: invitationID, userID: userID, email: email, name: name, role: role, tokenHash: Self.hash(token), expiresAt: expiresAt),
                state: account, context: DecisionContext(now: now))
            // The email consumer puts the token in the invitation's message (the log keeps only its hash).
            try await api.mail.rememberInvitationToken(token, invitation: invitationID)
            return drafts
        }
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
        let license = body.has("pe_license") ? try body.peLicense("pe_license") : nil
        return try await changeUser(userID, me, context) { account, target in
            try await api.gate.authorize(
                me, .userInvite, .user(UserResource(accountID: me.principal.accountID, userID: userID, role: target.role)),
                resourceName: "user/\(userID.lowercased)", context: context, newRole: newRole ?? target.role, ownerCount: account.ownerCount)
            var drafts: [DraftEvent] = []
            let ctx = DecisionContext(now: api.configuration.clock())
            if let newRole { drafts += try AccountDecider.decide(.changeRole(userID: userID, to: newRole), state: account, context: ctx) }
            if body.has("pe_license") {
                // In effect when recorded by an owner or admin other than the licensee; pending when it is their own.
                drafts += try AccountDecider.decide(.setPELicense(userID: userID, license: license, by: me.principal.userID), state: account, context: ctx)
            }
            return drafts
        }
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
        return try await changeUser(userID, me, context) { account, _ in
            try AccountDecider.decide(.confirmPELicense(userID: userID, by: me.principal.userID), state: account, context: DecisionContext(now: api.configuration.clock()))
        }
    }

    /// Decides a change of one active user on the account's current state (`decide` gets it and
    /// the user; 404 if the user was removed meanwhile), appends it (``ApexAPI/changeAccount(_:_:decide:)``),
    /// and answers with the user as they are after it.
    private func changeUser(
        _ userID: UUID, _ me: Identity, _ context: ApexRequestContext,
        decide: (AccountState, AccountUser) async throws -> [DraftEvent]
    ) async throws -> Response {
        try await api.changeAccount(me.principal.accountID, context) { account in
            guard let target = account.users[userID], !target.removed else { throw APIError.notFound }
            return try await decide(account, target)
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
        _ = try await changeUser(userID, me, context) { account, target in
            // Again on the state the removal is decided on: the last-owner rule counts owners now.
            try await api.gate.authorize(
                me, .userRemove, .user(UserResource(accountID: me.principal.accountID, userID: userID, role: target.role)),
                resourceName: "user/\(userID.lowercased)", context: context, ownerCount: account.ownerCount)
            return try AccountDecider.decide(.remove(userID: userID, reason: reason), state: account, context: DecisionContext(now: api.configuration.clock()))
        }
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
        var joined: UserJoined?
        let account = try await api.changeAccount(accountID, context, decideWithActor: { account in
            guard account.id != nil else { throw APIError(.notFound, code: "not_found", "the invitation does not exist or was used already") }
            let drafts = try AccountDecider.decide(
                .accept(tokenHash: UserRoutes.hash(token), name: name, peLicense: peLicense),
                state: account, context: DecisionContext(now: api.configuration.clock()))
            let decided = try CanonicalJSON.decode(UserJoined.self, from: drafts[0].data)
            joined = decided
            return (drafts, Actor.user(decided.userID))
        })
        guard let joined else { throw APIError(.notFound, code: "not_found", "the invitation does not exist or was used already") }
        return (joined.userID, accountID, account.invitations[joined.invitationID]?.role ?? .client)
    }
}
