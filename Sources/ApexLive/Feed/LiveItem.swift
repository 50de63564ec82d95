public import ApexDomain

/// What a live subscription delivers: an event of the log, in position order, or a heartbeat.
public enum LiveItem: Sendable {
    /// An event of the subscribed account, after every event delivered before it.
    case event(EventEnvelope)
    /// Nothing happened for a while: a moment to show the connection is alive.
    case heartbeat
    /// Who has the stream's project open now (project streams only, when it changed).
    case presence([PresenceStore.Entry])
}
