import ApexStore
public import Foundation

/// At most ``quota`` sign-in link requests per address per ``window``, counted by the address's
/// blind index (``SignInAddresses/hash(_:)``) in the feature table `web_sign_in_requests`, so
/// every instance counts together and no address is kept. Known and unknown addresses count
/// alike: the limit says nothing about whether an address is known.
public struct SignInRequestLimit: Sendable {
    /// Requests allowed per address in a window (default 5).
    public var quota: Int
    /// The window (default one hour).
    public var window: Duration

    /// `quota` requests per `window`.
    public init(quota: Int = 5, window: Duration = .seconds(3600)) {
        self.quota = quota
        self.window = window
    }
}

extension SignInAddresses {
    /// Records a request for the address hashing to `hash` at `now` and answers nil when it is
    /// within `limit`, else the seconds until the oldest counted request leaves the window (the
    /// refused request is not counted). Rows older than the window are deleted on the way.
    public func admit(hash: String, now: Date, limit: SignInRequestLimit) async throws -> Int? {
        try await prepare()
        let nowMillis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        let windowMillis = limit.window.components.seconds * 1000
        let since = nowMillis - windowMillis
        try await sql.run("DELETE FROM web_sign_in_requests WHERE requested_at <= ?", [.int(since)])
        let id = UUID().uuidString.lowercased()
        try await sql.run(
            "INSERT INTO web_sign_in_requests (request_id, address_hash, requested_at) VALUES (?, ?, ?)", [.text(id), .text(hash), .int(nowMillis)])
        let rows = try await sql.run(
            "SELECT requested_at FROM web_sign_in_requests WHERE address_hash = ? AND requested_at > ? ORDER BY requested_at, request_id",
            [.text(hash), .int(since)], write: false)
        guard rows.count > limit.quota else { return nil }
        // Over the limit (two instances at once may both refuse: never both admit past it).
        try await sql.run("DELETE FROM web_sign_in_requests WHERE request_id = ?", [.text(id)])
        let oldest = rows.first?["requested_at"]?.int ?? nowMillis
        return max(1, Int((oldest + windowMillis - nowMillis + 999) / 1000))
    }
}
