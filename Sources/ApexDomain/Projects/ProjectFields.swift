public import Foundation

/// A project's site.
public struct Site: Sendable, Hashable, Codable {
    /// Street address.
    public var address: String?
    /// City.
    public var city: String?
    /// State or province.
    public var state: String?
    /// Country.
    public var country: String?

    /// A site.
    public init(address: String? = nil, city: String? = nil, state: String? = nil, country: String? = nil) {
        self.address = address
        self.city = city
        self.state = state
        self.country = country
    }
}

/// The descriptive fields of a project: what an edit changes and a revert restores.
public struct ProjectFields: Sendable, Hashable, Codable {
    /// 1-200 characters.
    public var name: String
    /// Free text, up to 10,000 characters.
    public var description: String
    /// The client user this project belongs to, if any.
    public var clientID: UUID?
    /// Short labels, kept sorted and unique.
    public var tags: [String]
    /// Where the sign or structure stands.
    public var site: Site?

    /// The names of the descriptive fields, as they appear in JSON.
    public static let names: Set<String> = ["name", "description", "client_id", "tags", "site"]

    /// Fields, validated by ``validate()``.
    public init(name: String, description: String = "", clientID: UUID? = nil, tags: [String] = [], site: Site? = nil) {
        self.name = name
        self.description = description
        self.clientID = clientID
        self.tags = Self.normalized(tags)
        self.site = site
    }

    /// Throws ``DomainError/Code/invalidInput`` naming the first field that is out of bounds, or
    /// ``DomainError/Code/invalidText`` naming the first that holds a control character (see
    /// ``TextRules``; only `description` may hold tabs and line breaks).
    public func validate() throws(DomainError) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw DomainError(.invalidInput, "name must not be empty", field: "name") }
        guard name.count <= 200 else {
            throw DomainError(.invalidInput, "name must be at most 200 characters (it has \(name.count))", field: "name")
        }
        try TextRules.check(name, field: "name")
        guard description.count <= 10_000 else {
            throw DomainError(.invalidInput, "description must be at most 10000 characters", field: "description")
        }
        try TextRules.check(description, field: "description", multiline: true)
        guard tags.count <= 50 else { throw DomainError(.invalidInput, "at most 50 tags are allowed", field: "tags") }
        for tag in tags where tag.isEmpty || tag.count > 40 {
            throw DomainError(.invalidInput, "each tag must be 1-40 characters ('\(tag.prefix(40))' is not)", field: "tags")
        }
        for tag in tags { try TextRules.check(tag, field: "tags") }
        if let site {
            for (key, value) in [("address", site.address), ("city", site.city), ("state", site.state), ("country", site.country)] {
                guard let value else { continue }
                guard value.count <= 200 else {
                    throw DomainError(.invalidInput, "site.\(key) must be at most 200 characters", field: "site.\(key)")
                }
                try TextRules.check(value, field: "site.\(key)")
            }
        }
    }

    /// These fields with the members of `changes` (keys from ``names``) applied, JSON merge-patch style
    /// (RFC 7396): `site` merges member by member, and a `null` member removes it.
    ///
    /// Well-formed changes (what every recorded `project.updated` holds) are applied field by
    /// field; anything else goes through ``mergingAsJSON(_:)``, which names the offending field.
    /// Both give the same fields for well-formed changes (property-tested): replay folds one
    /// update per event, and decoding all fields again for each was most of a replay's cost.
    public func merging(_ changes: [String: JSONValue]) throws(DomainError) -> ProjectFields {
        if let merged = mergingWellFormed(changes) { return merged }
        return try mergingAsJSON(changes)
    }

    /// `merging` for changes whose every member has the expected shape, or nil.
    func mergingWellFormed(_ changes: [String: JSONValue]) -> ProjectFields? {
        var merged = self
        for (key, value) in changes {
            switch (key, value) {
            case ("name", .string(let s)): merged.name = s
            case ("description", .string(let s)): merged.description = s
            case ("description", .null): merged.description = ""
            case ("client_id", .null): merged.clientID = nil
            case ("client_id", .string(let s)):
                guard let id = UUID(text: s) else { return nil }
                merged.clientID = id
            case ("tags", .null): merged.tags = []
            case ("tags", .array(let items)):
                var tags: [String] = []
                for case .string(let tag) in items { tags.append(tag) }
                guard tags.count == items.count else { return nil }
                merged.tags = tags
            case ("site", .null): merged.site = nil
            case ("site", .object(let members)):
                var site = merged.site ?? Site()
                for (member, value) in members {
                    let text: String?
                    switch value {
                    case .string(let s): text = s
                    case .null: text = nil
                    default: return nil
                    }
                    switch member {
                    case "address": site.address = text
                    case "city": site.city = text
                    case "state": site.state = text
                    case "country": site.country = text
                    default: return nil
                    }
                }
                merged.site = site
            default:
                return nil
            }
        }
        merged.tags = Self.normalized(merged.tags)
        return merged
    }

    /// `merging` through JSON: merge-patch the fields' JSON, then decode it, so that a malformed
    /// change fails with the decoder's account of which field and why.
    func mergingAsJSON(_ changes: [String: JSONValue]) throws(DomainError) -> ProjectFields {
        var json = self.json.objectValue ?? [:]
        for (key, value) in changes {
            guard Self.names.contains(key) else {
                throw DomainError(.invalidInput, "'\(key)' is not an editable field (editable: \(Self.names.sorted().joined(separator: ", ")))", field: key)
            }
            json[key] = value == .null ? .null : Self.mergePatch(json[key] ?? .null, value)
        }
        if case .object(let site) = json["site"], let unknown = site.keys.sorted().first(where: { !Self.siteNames.contains($0) }) {
            throw DomainError(
                .invalidInput, "'site.\(unknown)' is not a site field (site fields: \(Self.siteNames.sorted().joined(separator: ", ")))",
                field: "site.\(unknown)")
        }
        if json["description"] == .null { json["description"] = .string("") }
        if json["tags"] == .null { json["tags"] = .array([]) }
        do {
            var merged = try CanonicalJSON.decode(ProjectFields.self, from: .object(json))
            merged.tags = Self.normalized(merged.tags)
            return merged
        } catch {
            throw DomainError(.invalidInput, Self.describe(error), field: Self.field(of: error))
        }
    }

    /// Tags sorted and unique; tags that already are (every fold but the odd stored payload)
    /// are returned as they are, without building a set.
    static func normalized(_ tags: [String]) -> [String] {
        if tags.indices.dropFirst().allSatisfy({ tags[$0 - 1] < tags[$0] }) { return tags }
        return Array(Set(tags)).sorted()
    }

    /// The members a `site` object may have.
    static let siteNames: Set<String> = ["address", "city", "state", "country"]

    /// RFC 7396 merge patch: an object patch merges into `target` member by member (`null` removes one); anything else replaces it.
    static func mergePatch(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in members {
            result[key] = value == .null ? nil : mergePatch(result[key] ?? .null, value)
        }
        return .object(result)
    }

    /// The fields as JSON (absent optionals are `null`).
    public var json: JSONValue {
        var site: JSONValue = .null
        if let s = self.site {
            site = .object([
                "address": s.address.map(JSONValue.string) ?? .null, "city": s.city.map(JSONValue.string) ?? .null,
                "state": s.state.map(JSONValue.string) ?? .null, "country": s.country.map(JSONValue.string) ?? .null,
            ])
        }
        return .object([
            "name": .string(name), "description": .string(description),
            "client_id": clientID.map { .string($0.lowercased) } ?? .null,
            "tags": .array(tags.map(JSONValue.string)), "site": site,
        ])
    }

    enum CodingKeys: String, CodingKey {
        case name, description, tags, site
        case clientID = "client_id"
    }

    static func field(of error: any Error) -> String? {
        guard let error = error as? DecodingError else { return nil }
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath
        case .keyNotFound(let key, let c): path = c.codingPath + [key]
        @unknown default: return nil
        }
        return path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "invalid value" }
        switch error {
        case .typeMismatch(let type, _): return "expected a value of type \(type)"
        case .valueNotFound(let type, _): return "a value of type \(type) is required"
        case .keyNotFound(let key, _): return "'\(key.stringValue)' is required"
        case .dataCorrupted(let c): return c.debugDescription
        @unknown default: return "invalid value"
        }
    }
}
