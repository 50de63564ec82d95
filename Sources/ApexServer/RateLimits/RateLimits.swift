import Foundation

/// The request rate limits of one server instance (`APEX_RATE_LIMITS`): token buckets, each
/// policy allowing ``Policy/quota`` requests per ``Policy/window``, refilled evenly.
///
/// - ``address``: every `/v1` request, per client address (per the trusted-proxy rules);
/// - ``user``: every authenticated request, per user;
/// - ``publicRoutes``: routes that take no bearer token (invitation acceptance, signed file
///   links), per client address: stricter;
/// - ``unauthorized``: answers of 401 per client address; once spent, every `/v1` request from
///   that address is refused until it refills (token guessing).
///
/// Buckets live in the instance's memory: behind a load balancer each instance counts alone.
/// `APEX_RATE_LIMITS=off` disables them all (load tests); otherwise a comma-separated list
/// overrides some: `address=1200/60s,user=600/1m,public=30/60s,unauthorized=off`.
public struct RateLimits: Sendable, Hashable {
    /// One limit: `quota` requests per `window`.
    public struct Policy: Sendable, Hashable {
        /// Requests allowed in a window (the bucket's size: a burst up to this passes).
        public var quota: Int
        /// The window in seconds (the bucket refills `quota` over it).
        public var windowSeconds: Int

        /// `quota` requests per `windowSeconds` seconds.
        public init(quota: Int, windowSeconds: Int) {
            precondition(quota > 0 && windowSeconds > 0, "a rate limit needs a positive quota and window")
            self.quota = quota
            self.windowSeconds = windowSeconds
        }

        /// Tokens added per second.
        var refillPerSecond: Double { Double(quota) / Double(windowSeconds) }
    }

    /// Per client address, on every `/v1` request (default 1200 a minute).
    public var address: Policy? = Policy(quota: 1200, windowSeconds: 60)
    /// Per authenticated user (default 600 a minute).
    public var user: Policy? = Policy(quota: 600, windowSeconds: 60)
    /// Per client address, on routes without a bearer token (default 30 a minute).
    public var publicRoutes: Policy? = Policy(quota: 30, windowSeconds: 60)
    /// 401 answers per client address (default 30 in 5 minutes).
    public var unauthorized: Policy? = Policy(quota: 30, windowSeconds: 300)

    /// The defaults.
    public init() {}

    /// No limits at all.
    public static let off = RateLimits(address: nil, user: nil, publicRoutes: nil, unauthorized: nil)

    /// Every policy as given.
    public init(address: Policy?, user: Policy?, publicRoutes: Policy?, unauthorized: Policy?) {
        self.address = address
        self.user = user
        self.publicRoutes = publicRoutes
        self.unauthorized = unauthorized
    }

    /// Whether no policy is on.
    public var isOff: Bool { address == nil && user == nil && publicRoutes == nil && unauthorized == nil }

    /// `off`, `default`, or the defaults with some policies overridden: a comma-separated list of
    /// `NAME=QUOTA/WINDOW` (window `30s`, `1m`, `1h`) or `NAME=off`, NAME one of `address`,
    /// `user`, `public`, `unauthorized`. Throws a message naming the entry that is wrong.
    public init(parsing text: String) throws {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text == "off" {
            self = .off
            return
        }
        self.init()
        if text == "default" || text.isEmpty { return }
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { throw ConfigurationError("APEX_RATE_LIMITS: \(entry) is not NAME=QUOTA/WINDOW or NAME=off") }
            let policy = try parts[1] == "off" ? nil : Self.policy(parts[1], entry: String(entry))
            switch parts[0] {
            case "address": address = policy
            case "user": user = policy
            case "public": publicRoutes = policy
            case "unauthorized": unauthorized = policy
            default: throw ConfigurationError("APEX_RATE_LIMITS: unknown limit \(parts[0]) (address, user, public, unauthorized)")
            }
        }
    }

    private static func policy(_ text: String, entry: String) throws -> Policy {
        let parts = text.split(separator: "/", maxSplits: 1)
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
        guard parts.count == 2, let quota = Int(parts[0]), quota > 0, let last = parts[1].last, let unit = units[last],
            let count = Int(parts[1].dropLast()), count > 0, count <= 86_400
        else { throw ConfigurationError("APEX_RATE_LIMITS: \(entry) is not NAME=QUOTA/WINDOW with a positive quota and a window such as 60s, 1m or 1h") }
        return Policy(quota: quota, windowSeconds: count * unit)
    }
}
