public import ApexDomain
public import Foundation

/// What narrows a search besides its words: the kind of hit, the project's status, a tag and
/// the client. Nil members do not narrow.
public struct SearchFilter: Sendable, Hashable {
    /// Only hits of this kind.
    public var kind: SearchKind?
    /// Only hits in projects with this status.
    public var status: ProjectStatus?
    /// Only hits in projects with this tag (exact).
    public var tag: String?
    /// Only hits in projects of this client.
    public var clientID: UUID?

    /// A filter.
    public init(kind: SearchKind? = nil, status: ProjectStatus? = nil, tag: String? = nil, clientID: UUID? = nil) {
        self.kind = kind
        self.status = status
        self.tag = tag
        self.clientID = clientID
    }

    /// The filter as text, for a cursor's fingerprint.
    var canonical: String {
        [kind?.rawValue ?? "", status?.rawValue ?? "", tag ?? "", clientID?.lowercased ?? ""].joined(separator: "\u{1F}")
    }
}

/// One thing a search found, ranked.
public struct SearchHit: Sendable, Hashable {
    /// What it is.
    public var kind: SearchKind
    /// The project, calculation or file id.
    public var itemID: UUID
    /// Its project.
    public var projectID: UUID
    /// The project's name.
    public var projectName: String
    /// The hit's name: a project's name, a calculation's type, a file's name.
    public var title: String
    /// The project's status.
    public var status: ProjectStatus
    /// The project's client, if any.
    public var clientID: UUID?
    /// The project's tags.
    public var tags: [String]
    /// An excerpt of the matching text, HTML-escaped, with each match in `<mark>…</mark>`.
    public var snippet: String
    /// The engine's relevance (higher is better; comparable only within one search on one store).
    public var score: Double
    /// The tie-break of equal scores (``SearchDocument/key``).
    public var key: String
}

/// A page of hits, best first, and where the next page starts.
public struct SearchPage: Sendable, Hashable {
    /// The hits the caller may view, at most the limit asked.
    public var hits: [SearchHit]
    /// The cursor of the next page; nil on the last page.
    public var nextCursor: String?
    /// How many events of the log the index had not yet caught up with when it answered (0: current).
    public var lag: Int64
}
