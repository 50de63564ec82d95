import ApexDomain
import Crypto
public import ApexStore
public import Foundation
public import Logging

/// The blind index behind `POST /v1/sign-in-links`: who may be mailed a sign-in link at an
/// address, without keeping any address in plaintext.
///
/// Each active user's email, normalised (trimmed, lowercased), is kept only as
/// HMAC-SHA256 under a key derived from the server's secret for this purpose alone
/// (``hash(_:)``), mapped to the user and their account (the feature table
/// `web_sign_in_addresses`; one row per membership, so an address in two accounts has two
/// rows). The rows are kept by the `sign-in-addresses` consumer of the log
/// (``SignInAddressConsumer``); removal and erasure drop them.
public struct SignInAddresses: Sendable {
    /// One membership an address belongs to.
    public struct Membership: Sendable, Hashable {
        /// The account.
        public var account: UUID
        /// The user in it.
        public var user: UUID
    }

    let key: SymmetricKey
    let store: any EventStore
    let sql: FeatureSQL
    let schema = FeatureSchema([
        """
        CREATE TABLE IF NOT EXISTS web_sign_in_addresses (
            address_hash TEXT NOT NULL, account_id TEXT NOT NULL, user_id TEXT NOT NULL,
            PRIMARY KEY (address_hash, account_id, user_id)
        )
        """,
        "CREATE INDEX IF NOT EXISTS web_sign_in_addresses_account ON web_sign_in_addresses (account_id)",
        """
        CREATE TABLE IF NOT EXISTS web_sign_in_requests (
            request_id TEXT PRIMARY KEY, address_hash TEXT NOT NULL, requested_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS web_sign_in_requests_hash ON web_sign_in_requests (address_hash, requested_at)",
    ])

    /// The index in `store`'s database, keyed by `secret` (the server's `APEX_JWT_SECRET`); none
    /// for the in-memory store (``isAvailable`` is false).
    public init(store: any EventStore, secret: String, logger: Logger) {
        key = WebKeys.derive(secret, purpose: "apex.web.sign-in-address.v1")
        self.store = store
        sql = FeatureSQL(database: store.featureDatabase, logger: logger)
    }

    /// Whether the store keeps feature tables (SQLite, PostgreSQL).
    public var isAvailable: Bool { sql.isAvailable }

    /// Creates the tables if missing (idempotent).
    public func prepare() async throws { try await schema.create(on: sql) }

    /// `address` trimmed and lowercased: the form that is hashed.
    public static func normalised(_ address: String) -> String {
        address.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// The blind index of `address`: hex HMAC-SHA256 of its normalised form.
    public func hash(_ address: String) -> String {
        EventHash.hex(HMAC<SHA256>.authenticationCode(for: Data(Self.normalised(address).utf8), using: key))
    }

    /// The memberships whose address hashes to `hash`, in a stable order.
    public func memberships(hash: String) async throws -> [Membership] {
        guard isAvailable else { return [] }
        try await prepare()
        let rows = try await sql.run(
            "SELECT account_id, user_id FROM web_sign_in_addresses WHERE address_hash = ? ORDER BY account_id, user_id", [.text(hash)], write: false)
        return rows.compactMap { row in
            guard let account = row["account_id"]?.text.flatMap(UUID.init(uuidString:)),
                  let user = row["user_id"]?.text.flatMap(UUID.init(uuidString:)) else { return nil }
            return Membership(account: account, user: user)
        }
    }

    /// The consumer of the log that keeps the index.
    public var consumer: SignInAddressConsumer { SignInAddressConsumer(index: self) }
}
