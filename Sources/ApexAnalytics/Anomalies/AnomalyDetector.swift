import ApexDomain
import ApexStore
import Foundation

/// Applies the ``AnomalyRule``s to a page of the log, in order, over the state loaded for it
/// (the baselines of its users, the recent entries of its keys). Pure: the consumer loads,
/// folds, appends the flags, then writes ``statements`` with its checkpoint in one transaction.
struct AnomalyDetector {
    struct UserKey: Hashable {
        var account: UUID
        var user: UUID
    }

    struct RecentKey: Hashable {
        var account: UUID
        var key: String
    }

    /// An entry of `anomaly_recent`.
    struct Recent: Sendable {
        var position: Int64
        var eventID: UUID
        var atMillis: Int64
        var weight: Int64
    }

    /// A flag to append.
    struct Flag: Sendable {
        var account: UUID
        var rule: AnomalyRule
        /// The event that raised it (its position makes the flag's id).
        var position: Int64
        var payload: AuditAnomalyFlagged
    }

    var baselines: [UserKey: AnomalyBaseline]
    var recent: [RecentKey: [Recent]]
    private var added: [(RecentKey, Recent)] = []
    private var touched: Set<UserKey> = []
    /// The `audit.anomaly_flagged` events of the page, for `anomaly_flags`.
    private var seenFlags: [EventEnvelope] = []
    /// Users erased in the page: their baselines are dropped.
    private var erased: [UserKey] = []
    private var lastMillis: Int64 = 0

    init(baselines: [UserKey: AnomalyBaseline], recent: [RecentKey: [Recent]]) {
        self.baselines = baselines
        self.recent = recent
    }

    /// The users and recent-entry keys a page needs loaded.
    static func needs(_ events: [EventEnvelope]) -> (users: Set<UserKey>, keys: Set<RecentKey>) {
        var users: Set<UserKey> = [], keys: Set<RecentKey> = []
        for event in events {
            guard let user = event.actor.userID else { continue }
            users.insert(UserKey(account: event.accountID, user: user))
            for key in ["user:", "deletions:", "license:"] { keys.insert(RecentKey(account: event.accountID, key: key + user.lowercased)) }
            if let address = event.requestMetadata.ipAddress?.plaintext {
                keys.insert(RecentKey(account: event.accountID, key: "address:" + NetworkPrefix.key(address)))
            }
            if event.type == UserPELicenseChanged.type, let subject = event.data["user_id"]?.stringValue {
                keys.insert(RecentKey(account: event.accountID, key: "license:" + subject.lowercased()))
            }
        }
        return (users, keys)
    }

    /// Folds one event in; returns the flags it raises.
    mutating func add(_ event: EventEnvelope) throws -> [Flag] {
        let at = Int64((event.recordedAt.timeIntervalSince1970 * 1000).rounded())
        lastMillis = max(lastMillis, at)
        if event.type == AuditAnomalyFlagged.type {
            seenFlags.append(event)
            return []
        }
        if event.type == UserErased.type {
            let key = UserKey(account: event.accountID, user: try event.payload(as: UserErased.self).userID)
            baselines[key] = nil
            touched.remove(key)
            erased.append(key)
        }
        guard let user = event.actor.userID else {
            if event.type == UserPELicenseChanged.type { try recordLicense(event, at: at) }
            return []
        }
        let account = event.accountID
        let userKey = UserKey(account: account, user: user)
        var flags: [Flag] = []
        func flag(_ rule: AnomalyRule, _ behind: [(Int64, UUID)], _ summary: String, about: UUID? = nil) {
            let sorted = behind.sorted { $0.0 < $1.0 }
            flags.append(Flag(
                account: account, rule: rule, position: event.position,
                payload: AuditAnomalyFlagged(
                    rule: rule.rawValue, userID: about ?? user, positions: sorted.map(\.0), eventIDs: sorted.map(\.1), summary: summary)))
        }
        let hour = Int((at / 3_600_000) % 24)
        let baseline = baselines[userKey] ?? AnomalyBaseline()
        let address = event.requestMetadata.ipAddress?.plaintext
        let prefix = address.flatMap(NetworkPrefix.of)

        // A request from a network never seen for the user, once the baseline is established.
        if let prefix, baseline.isEstablished, !baseline.prefixes.contains(prefix) {
            flag(.newNetwork, [(event.position, event.id)], "a request from a network not among the \(baseline.prefixes.count) this user's \(baseline.requests) earlier requests came from")
        }
        if Self.isApproval(event) {
            if baseline.isEstablished, baseline.isRare(hour: hour) {
                flag(.offHoursApproval, [(event.position, event.id)],
                     "an approval at \(hour):00 UTC, an hour in which \(baseline.hours[hour]) of this user's \(baseline.requests) requests fell")
            }
            let window = at - AnomalyThresholds.licenseChangeWindowSeconds * 1000
            let changes = (recent[RecentKey(account: account, key: "license:" + user.lowercased)] ?? []).filter { $0.atMillis >= window && $0.atMillis <= at }
            if let change = changes.max(by: { $0.position < $1.position }) {
                flag(.approvalAfterLicenseChange, [(change.position, change.eventID), (event.position, event.id)],
                     "an approval \((at - change.atMillis) / 1000) s after this user's PE license changed")
            }
        }
        if let prefix {
            baselines[userKey, default: AnomalyBaseline()].add(
                hour: hour, prefix: prefix, agent: event.requestMetadata.userAgent?.plaintext.map { String($0.prefix(200)) })
            touched.insert(userKey)
        }
        if event.type == AccessDenied.type {
            let weight = Int64(max(1, try event.payload(as: AccessDenied.self).count ?? 1))
            let byUser = burst(RecentKey(account: account, key: "user:" + user.lowercased), event, at: at, weight: weight,
                               window: AnomalyThresholds.denialWindowSeconds, threshold: AnomalyThresholds.denialBurst)
            if let behind = byUser {
                flag(.denialBurst, behind, "\(AnomalyThresholds.denialBurst) or more access denials for this user within \(AnomalyThresholds.denialWindowSeconds / 60) minutes")
            }
            if let address {
                let byAddress = burst(RecentKey(account: account, key: "address:" + NetworkPrefix.key(address)), event, at: at, weight: weight,
                                      window: AnomalyThresholds.denialWindowSeconds, threshold: AnomalyThresholds.denialBurst)
                if let behind = byAddress, byUser == nil {
                    flag(.denialBurst, behind, "\(AnomalyThresholds.denialBurst) or more access denials from one address within \(AnomalyThresholds.denialWindowSeconds / 60) minutes")
                }
            }
        }
        if [ProjectDeleted.type, ProjectReverted.type, FileDeleted.type].contains(event.type),
           let behind = burst(RecentKey(account: account, key: "deletions:" + user.lowercased), event, at: at, weight: 1,
                              window: AnomalyThresholds.deletionWindowSeconds, threshold: AnomalyThresholds.massDeletions) {
            flag(.massDeletion, behind, "\(AnomalyThresholds.massDeletions) or more deletions or reverts by this user within \(AnomalyThresholds.deletionWindowSeconds / 60) minutes")
        }
        if event.type == UserPELicenseChanged.type { try recordLicense(event, at: at) }
        return flags
    }

    /// Lists flags the consumer appended (or found appended before) with the page's writes,
    /// without waiting for the log to bring them back.
    mutating func listed(_ flags: [EventEnvelope]) { seenFlags += flags }

    /// Whether `event` approves a calculation or a project.
    static func isApproval(_ event: EventEnvelope) -> Bool {
        event.type == CalculationApproved.type || (event.type == ProjectStatusChanged.type && event.data["to"]?.stringValue == ProjectStatus.approved.rawValue)
    }

    /// Records a license change under its subject's key.
    private mutating func recordLicense(_ event: EventEnvelope, at: Int64) throws {
        let subject = try event.payload(as: UserPELicenseChanged.self).userID
        remember(RecentKey(account: event.accountID, key: "license:" + subject.lowercased), Recent(position: event.position, eventID: event.id, atMillis: at, weight: 1))
    }

    /// Records `event` under `key` and returns the events of the window when their weight
    /// reaches `threshold` with this one (and did not before it): a burst is flagged once.
    private mutating func burst(_ key: RecentKey, _ event: EventEnvelope, at: Int64, weight: Int64, window: Int64, threshold: Int) -> [(Int64, UUID)]? {
        let from = at - window * 1000
        let inWindow = (recent[key] ?? []).filter { $0.atMillis > from && $0.atMillis <= at && $0.position < event.position }
        let before = inWindow.reduce(0) { $0 + $1.weight }
        remember(key, Recent(position: event.position, eventID: event.id, atMillis: at, weight: weight))
        guard before < threshold, before + weight >= threshold else { return nil }
        return inWindow.map { ($0.position, $0.eventID) } + [(event.position, event.id)]
    }

    private mutating func remember(_ key: RecentKey, _ entry: Recent) {
        guard !(recent[key] ?? []).contains(where: { $0.position == entry.position }) else { return }
        recent[key, default: []].append(entry)
        added.append((key, entry))
    }

    /// The writes of the page.
    var statements: [FeatureStatement] {
        var out: [FeatureStatement] = []
        for key in touched.sorted(by: { ($0.account.lowercased, $0.user.lowercased) < ($1.account.lowercased, $1.user.lowercased) }) {
            guard let b = baselines[key] else { continue }
            let account = FeatureSQLValue.text(key.account.lowercased), user = FeatureSQLValue.text(key.user.lowercased)
            out.append(FeatureStatement(
                """
                INSERT INTO anomaly_baselines (account_id, user_id, requests, hours) VALUES (?, ?, ?, ?)
                ON CONFLICT (account_id, user_id) DO UPDATE SET requests = excluded.requests, hours = excluded.hours
                """, [account, user, .int(b.requests), .text(b.hoursText)]))
            for prefix in b.newPrefixes.sorted() {
                out.append(FeatureStatement(
                    "INSERT INTO anomaly_networks (account_id, user_id, prefix) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [account, user, .text(prefix)]))
            }
            for agent in b.changedAgents.sorted() {
                out.append(FeatureStatement(
                    """
                    INSERT INTO anomaly_agents (account_id, user_id, agent, requests) VALUES (?, ?, ?, ?)
                    ON CONFLICT (account_id, user_id, agent) DO UPDATE SET requests = excluded.requests
                    """, [account, user, .text(agent), .int(b.agents[agent] ?? 0)]))
            }
        }
        for key in erased {
            for table in AnomalySchema.baselineTables {
                out.append(FeatureStatement("DELETE FROM \(table) WHERE account_id = ? AND user_id = ?", [.text(key.account.lowercased), .text(key.user.lowercased)]))
            }
        }
        for (key, entry) in added {
            out.append(FeatureStatement(
                "INSERT INTO anomaly_recent (account_id, key, position, event_id, at_ms, weight) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [.text(key.account.lowercased), .text(key.key), .int(entry.position), .text(entry.eventID.lowercased), .int(entry.atMillis), .int(entry.weight)]))
        }
        if lastMillis > 0 {
            out.append(FeatureStatement("DELETE FROM anomaly_recent WHERE at_ms < ?", [.int(lastMillis - AnomalyThresholds.longestWindowSeconds * 1000)]))
        }
        for event in seenFlags {
            let data = String(decoding: CanonicalJSON.bytes(event.data), as: UTF8.self)
            out.append(FeatureStatement(
                "INSERT INTO anomaly_flags (position, account_id, at_ms, rule, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [.int(event.position), .text(event.accountID.lowercased), .int(Int64((event.recordedAt.timeIntervalSince1970 * 1000).rounded())),
                 .text(event.data["rule"]?.stringValue ?? ""), .text(data)]))
        }
        return out
    }
}
