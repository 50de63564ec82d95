/// The text of the `text/event-stream` format (WHATWG HTML, "Server-sent events"): an event
/// with its `id:`, `event:` and `data:` lines, or a comment line that keeps the connection alive.
public enum ServerSentEvent {
    /// `id: ID` (none when nil: the client's last event id stays as it was), `event: TYPE` and
    /// one `data:` line per line of `data`, then a blank line. Newlines in `id` and `type` would
    /// end their field early, so they are dropped.
    public static func event(id: String?, type: String, data: String) -> String {
        var text = id.map { "id: \(oneLine($0))\n" } ?? ""
        text += "event: \(oneLine(type))\n"
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        return text + "\n"
    }

    /// A comment (`: text`), which clients ignore.
    public static func comment(_ text: String) -> String { ": \(oneLine(text))\n\n" }

    /// How long a client waits before reconnecting, in milliseconds (`retry:`).
    public static func retry(milliseconds: Int) -> String { "retry: \(milliseconds)\n\n" }

    /// A position named by a `Last-Event-ID` header or a `from` parameter: 1 to 19 digits; nil otherwise.
    public static func position(_ text: String) -> Int64? {
        guard (1...19).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int64(text)
    }

    private static func oneLine(_ text: String) -> String { text.filter { $0 != "\n" && $0 != "\r" } }
}
