public import Foundation

/// How far a checkpointed consumer of the log has got: the last global position it handled
/// (its work done), and why its last attempt failed if it did.
///
/// Kept by the store (``EventStore/consumerPositions()``) so that a restarted process, or
/// another server instance taking over the consumer's claim, resumes where it stopped.
public struct ConsumerPosition: Sendable, Hashable {
    /// The consumer's unique, stable name (``LogConsumer/name``).
    public var name: String
    /// The position of the last event handled; 0 before the first, and after a reset.
    public var position: Int64
    /// When the position was last saved or reset.
    public var updatedAt: Date
    /// Why the last attempt failed; nil once a batch succeeds after it.
    public var lastError: String?
    /// When ``lastError`` was recorded.
    public var lastErrorAt: Date?

    /// A position.
    public init(name: String, position: Int64, updatedAt: Date, lastError: String? = nil, lastErrorAt: Date? = nil) {
        self.name = name
        self.position = position
        self.updatedAt = updatedAt
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
    }

    /// How many positions the consumer is behind `head` (``EventStore/headPosition()``); never negative.
    public func lag(head: Int64) -> Int64 { max(0, head - position) }

    /// The longest error text kept; longer ones are cut.
    static let maximumErrorLength = 2000

    /// `message` cut to ``maximumErrorLength`` characters.
    static func clipped(_ message: String) -> String {
        message.count <= maximumErrorLength ? message : String(message.prefix(maximumErrorLength)) + "…"
    }
}
