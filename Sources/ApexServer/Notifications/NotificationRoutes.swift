import ApexDomain
import ApexMail
import Foundation
import Hummingbird

/// `GET /v1/notifications/deliveries`: the account's email messages and what became of each
/// (`queued`, `sent` with the server's reply, `deferred` with the reason and the next attempt,
/// `failed`), newest first, a page at a time (`limit`, `cursor`). Owners and admins: the
/// policy's `user.invite`, the permission of those who invite and remove users, whom most of
/// these messages concern.
struct NotificationRoutes {
    let api: ApexAPI

    func register(on router: RouterGroup<ApexRequestContext>) {
        router.get("notifications/deliveries") { request, context in
            let me = try context.requireIdentity()
            // As the invitation route asks first: may this caller invite someone into the account.
            try await api.gate.authorize(
                me, .userInvite, .user(UserResource(accountID: me.principal.accountID, userID: UUID(), role: .client)),
                resourceName: "notification deliveries", context: context)
            let limit = try ProjectListing.limit(request.query("limit") ?? "50")
            var cursor: (position: Int64, key: String)?
            if let text = request.query("cursor") {
                guard let bar = text.firstIndex(of: "|"), let position = Int64(text[..<bar]) else {
                    throw APIError.badRequest("cursor is not one this API gave", code: "invalid_cursor", field: "cursor")
                }
                cursor = (position, String(text[text.index(after: bar)...]))
            }
            let items = try await api.mail.deliveries(account: me.principal.accountID, limit: limit + 1, before: cursor)
            let page = Array(items.prefix(limit))
            let next = items.count > limit ? page.last.map { "\($0.position)|\($0.key)" } : nil
            return Response.json(["items": .array(page.map(Self.json)), "next_cursor": Present.text(next)])
        }
    }

    static func json(_ d: MailDelivery) -> JSONValue {
        [
            "id": .string(d.key), "message_id": .string(d.messageID), "position": .number(Double(d.position)), "event_type": .string(d.eventType),
            "template": .string(d.template), "recipient_user_id": .string(d.recipientUser), "recipient": .string(d.recipient),
            "locale": .string(d.locale), "subject": .string(d.subject), "status": .string(d.status), "attempts": .number(Double(d.attempts)),
            "reply": Present.text(d.reply), "created_at": Present.date(d.createdAt), "updated_at": Present.date(d.updatedAt),
            "next_attempt_at": d.nextAttemptAt.map(Present.date) ?? .null,
        ]
    }
}
