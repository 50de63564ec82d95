public import ApexDomain
public import Foundation

/// What a search finds: a project, a calculation or a file.
public enum SearchKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// A project: its name, description, tags and site.
    case project
    /// A calculation: its type, in its project.
    case calculation
    /// A file: its name and description, in its project.
    case file

    /// The place of the kind in a project's documents (``SearchDocument/documents(of:)``).
    var rank: Int {
        switch self {
        case .project: 0
        case .calculation: 1
        case .file: 2
        }
    }

    /// The permission that lets a user see a hit of this kind.
    public var viewPermission: Permission {
        switch self {
        case .project: .projectView
        case .calculation: .calculationView
        case .file: .fileView
        }
    }
}

/// One row of the search index, derived from a project's state: the text to match in three
/// weighted fields, and the facts to filter by and to decide visibility with.
///
/// Only what the project read API shows is indexed (no user's name or email, no request
/// metadata), so an erased user leaves nothing behind in the index.
public struct SearchDocument: Sendable, Hashable {
    /// What it is.
    public var kind: SearchKind
    /// The project, calculation or file id.
    public var itemID: UUID
    /// The project it belongs to (itself for a project).
    public var projectID: UUID
    /// The owning account.
    public var accountID: UUID
    /// The project's status.
    public var status: ProjectStatus
    /// The project's client, if any.
    public var clientID: UUID?
    /// The project's tags.
    public var tags: [String]
    /// The project's name.
    public var projectName: String
    /// The name shown for the hit: the project's name, the calculation's type, the file's name.
    public var title: String
    /// Weight A: the name (a calculation's type in words).
    public var name: String
    /// Weight B: the description.
    public var body: String
    /// Weight C: tags, site, and for a calculation or file its project's name.
    public var extra: String

    /// `kind:id`: the row's unique key, and the tie-break of equal ranks.
    public var key: String { "\(kind.rawValue):\(itemID.lowercased)" }

    /// Whether this document comes before `other` in the order ``documents(of:)`` lists a
    /// project's: the project, then its calculations, then its files, each kind by id.
    func precedes(_ other: SearchDocument) -> Bool {
        kind != other.kind ? kind.rank < other.kind.rank : UUID.ordered(itemID, other.itemID)
    }

    /// Whether each of `documents` precedes the next (``precedes(_:)``).
    static func isInOrder(_ documents: [SearchDocument]) -> Bool {
        zip(documents, documents.dropFirst()).allSatisfy { $0.precedes($1) }
    }

    /// Each calculation type in words (`wind_pressure` → `wind pressure`), made once: a project
    /// holds hundreds of calculations and every edit builds their documents again.
    static let spokenNames = Dictionary(uniqueKeysWithValues: CalculationType.allCases.map { ($0, $0.rawValue.replacingOccurrences(of: "_", with: " ")) })

    /// The documents of a project as it stands: none for a deleted project (nobody searches
    /// the bin), one for the project, one per calculation, one per file not deleted, in that
    /// order, each kind by id (``precedes(_:)``).
    public static func documents(of state: ProjectState) -> [SearchDocument] {
        guard let projectID = state.id, let accountID = state.accountID, !state.deleted else { return [] }
        let fields = state.fields
        let site = [fields.site?.address, fields.site?.city, fields.site?.state, fields.site?.country].compactMap { $0 }
        func document(_ kind: SearchKind, _ id: UUID, title: String, name: String, body: String, extra: [String]) -> SearchDocument {
            SearchDocument(
                kind: kind, itemID: id, projectID: projectID, accountID: accountID, status: state.status, clientID: fields.clientID,
                tags: fields.tags, projectName: fields.name, title: title, name: name, body: body, extra: extra.joined(separator: "\n"))
        }
        var documents = [document(.project, projectID, title: fields.name, name: fields.name, body: fields.description, extra: fields.tags + site)]
        documents.reserveCapacity(1 + state.calculations.count + state.files.count)
        for record in state.calculations.valuesInIDOrder {
            let type = record.latest.type
            documents.append(document(.calculation, record.id, title: type.rawValue, name: Self.spokenNames[type] ?? type.rawValue, body: "", extra: [fields.name]))
        }
        for record in state.files.valuesInIDOrder where !record.deleted {
            let content = record.latest.content
            documents.append(document(.file, record.id, title: content.name, name: content.name, body: content.description ?? "", extra: [fields.name]))
        }
        return documents
    }
}
