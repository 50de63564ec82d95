extension AccessPolicy {
    /// Whether a request from `clientAddress` (the client as the server resolved it, past its
    /// trusted proxies) may reach the account at all: the account's IP allowlist, checked on
    /// every authenticated request before any permission.
    ///
    /// ```swift
    /// AccessPolicy.admit(clientAddress: "203.0.113.7", allowlist: try AddressRanges(parsing: ["203.0.113.0/24"])) // .allowed
    /// ```
    /// An empty allowlist admits every address; a non-empty one admits only addresses inside it,
    /// and denies a request whose address is unknown (default deny).
    public static func admit(clientAddress: String?, allowlist: AddressRanges) -> Decision {
        if allowlist.isEmpty { return .allowed(rule: "the account has no IP allowlist") }
        guard let clientAddress, allowlist.contains(clientAddress) else {
            return .denied(reason: Denial(.ipNotAllowed, "the client address is not in the account's IP allowlist"))
        }
        return .allowed(rule: "the client address is in the account's IP allowlist")
    }
}
