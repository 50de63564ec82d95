/// How live streams behave: heartbeats, the buffer a slow client may fill, and how long one
/// stream may last.
public struct LiveConfiguration: Sendable {
    /// How often every open stream gets a comment line, so that proxies and clients see the
    /// connection alive (15 s by default).
    public var heartbeat: Duration = .seconds(15)
    /// How many items (events and heartbeats) may wait for one client; a client that falls this
    /// far behind is disconnected (it resumes with `Last-Event-ID`), so memory stays bounded.
    public var bufferCapacity = 1000
    /// How long one stream may stay open before the server ends it (the client reconnects with
    /// `Last-Event-ID`); nil: until the client leaves or the server stops.
    public var maxStreamDuration: Duration?
    /// How long a presence heartbeat counts: a user who sends none for this long is no longer
    /// shown as having the project open (30 s by default; clients beat about every 10 s).
    public var presenceTTL: Duration = .seconds(30)
    /// Events read from the store per query, when a stream catches up from `Last-Event-ID` and
    /// when the feed follows the log.
    public var pageSize = 500

    /// The defaults.
    public init() {}
}
