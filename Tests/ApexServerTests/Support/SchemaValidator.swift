import ApexDomain
import Foundation
import OpenAPIKit

/// A small JSON Schema validator over OpenAPIKit's `JSONSchema`, enough for the Apex document:
/// types (with `null` in a type list or a `oneOf` branch), `enum`/`const`, object `required`,
/// `properties`, `additionalProperties`, `minProperties`, array `items`, `minItems`, `maxItems`,
/// `uniqueItems`, string `minLength`, `maxLength`, `pattern` and the formats `date-time`, `date`,
/// `uuid` (lowercase), numeric bounds, `allOf`/`oneOf`/`anyOf`/`not`, and `$ref` to the
/// document's component schemas. Keywords OpenAPIKit does not model (`if`/`then`) are not checked.
///
/// `errors` answers one line per violation, each starting with the JSON path of the value.
///
/// `closed` (for answers) treats an object schema that names its properties and says nothing of
/// others as naming all of them: a member the document does not describe is drift too. Under
/// `allOf` the branches' properties count together.
struct SchemaValidator {
    let components: OpenAPI.Components
    var closed = false

    func errors(_ value: JSONValue, _ schema: JSONSchema, at path: String = "$") -> [String] {
        if value.isNull, schema.nullable { return [] }
        if let allowed = schema.allowedValues, !allowed.contains(where: { Self.json($0.value) == value }) {
            return ["\(path): \(Self.text(value)) is not one of \(allowed.map { Self.text(Self.json($0.value)) }.joined(separator: ", "))"]
        }
        switch schema.value {
        case .fragment: return []
        case .null: return value.isNull ? [] : ["\(path): expected null, got \(Self.text(value))"]
        case .boolean: return value.bool != nil ? [] : mismatch("boolean", value, path)
        case .number(_, let bounds):
            guard let n = value.numberValue else { return mismatch("number", value, path) }
            return check(n, minimum: bounds.minimum.map { ($0.value, $0.exclusive) }, maximum: bounds.maximum.map { ($0.value, $0.exclusive) }, path)
        case .integer(_, let bounds):
            guard let n = value.numberValue, n.rounded() == n else { return mismatch("integer", value, path) }
            return check(
                n, minimum: bounds.minimum.map { (Double($0.value), $0.exclusive) }, maximum: bounds.maximum.map { (Double($0.value), $0.exclusive) }, path)
        case .string(let core, let rules):
            guard let s = value.stringValue else { return mismatch("string", value, path) }
            return string(s, format: core.formatString, rules, path)
        case .object(_, let rules):
            guard let members = value.objectValue else { return mismatch("object", value, path) }
            return object(members, rules, path)
        case .array(_, let rules):
            guard let items = value.arrayValue else { return mismatch("array", value, path) }
            return array(items, rules, path)
        case .all(let schemas, _):
            var open = self
            open.closed = false
            var found = schemas.flatMap { open.errors(value, $0, at: path) }
            if closed, let members = value.objectValue, let named = properties(of: schema) {
                found += members.keys.filter { !named.contains($0) }.sorted().map { "\(path): member \($0) is not in the schema" }
            }
            return found
        case .one(let schemas, _):
            let failures = schemas.map { errors(value, $0, at: path) }
            let matches = failures.filter(\.isEmpty).count
            if matches == 1 { return [] }
            if matches > 1 { return ["\(path): matches \(matches) of the oneOf schemas, not exactly one"] }
            return ["\(path): matches none of the oneOf schemas: " + failures.map { $0.joined(separator: "; ") }.joined(separator: " | ")]
        case .any(let schemas, _):
            let failures = schemas.map { errors(value, $0, at: path) }
            if failures.contains(where: \.isEmpty) { return [] }
            return ["\(path): matches none of the anyOf schemas: " + failures.map { $0.joined(separator: "; ") }.joined(separator: " | ")]
        case .not(let schema, _):
            return errors(value, schema, at: path).isEmpty ? ["\(path): matches a schema it must not"] : []
        case .reference(let reference, _):
            guard let name = reference.name, let target = components.schemas[OpenAPI.ComponentKey(stringLiteral: name)] else {
                return ["\(path): unresolved reference \(reference.absoluteString)"]
            }
            return errors(value, target, at: path)
        }
    }

    private func object(_ members: [String: JSONValue], _ rules: JSONSchema.ObjectContext, _ path: String) -> [String] {
        var found = rules.requiredProperties.filter { members[$0] == nil }.map { "\(path): missing required member \($0)" }
        if members.count < rules.minProperties { found.append("\(path): fewer than \(rules.minProperties) members") }
        for (key, member) in members.sorted(by: { $0.key < $1.key }) {
            if let schema = rules.properties[key] {
                found += errors(member, schema, at: "\(path).\(key)")
            } else {
                switch rules.additionalProperties {
                case .a(false)?: found.append("\(path): member \(key) is not in the schema")
                case .b(let schema)?: found += errors(member, schema, at: "\(path).\(key)")
                case nil where closed && !rules.properties.isEmpty: found.append("\(path): member \(key) is not in the schema")
                default: break
                }
            }
        }
        return found
    }

    /// The property names an object schema (or an `allOf` of them) names; nil when it leaves
    /// others open.
    private func properties(of schema: JSONSchema) -> Set<String>? {
        switch schema.value {
        case .object(_, let rules):
            if case .a(false)? = rules.additionalProperties { return Set(rules.properties.keys) }
            return rules.additionalProperties == nil && !rules.properties.isEmpty ? Set(rules.properties.keys) : nil
        case .all(let schemas, _):
            var names: Set<String> = []
            for schema in schemas {
                guard let more = properties(of: schema) else { return nil }
                names.formUnion(more)
            }
            return names
        case .reference(let reference, _):
            return reference.name.flatMap { components.schemas[OpenAPI.ComponentKey(stringLiteral: $0)] }.flatMap(properties(of:))
        default: return nil
        }
    }

    private func array(_ items: [JSONValue], _ rules: JSONSchema.ArrayContext, _ path: String) -> [String] {
        var found: [String] = []
        if items.count < rules.minItems { found.append("\(path): fewer than \(rules.minItems) items") }
        if let max = rules.maxItems, items.count > max { found.append("\(path): more than \(max) items") }
        if rules.uniqueItems, Set(items).count != items.count { found.append("\(path): items are not unique") }
        if let schema = rules.items {
            for (i, item) in items.enumerated() { found += errors(item, schema, at: "\(path)[\(i)]") }
        }
        return found
    }

    private func string(_ s: String, format: String?, _ rules: JSONSchema.StringContext, _ path: String) -> [String] {
        var found: [String] = []
        let length = s.unicodeScalars.count
        if length < rules.minLength { found.append("\(path): shorter than \(rules.minLength)") }
        if let max = rules.maxLength, length > max { found.append("\(path): longer than \(max)") }
        if let pattern = rules.pattern, s.range(of: pattern, options: .regularExpression) == nil {
            found.append("\(path): \(Self.text(.string(s))) does not match \(pattern)")
        }
        let formatted: Bool
        switch format {
        case "date-time": formatted = Self.dateTime.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
        case "date": formatted = CivilDate(s) != nil
        case "uuid": formatted = UUID(uuidString: s) != nil && s == s.lowercased()
        default: formatted = true
        }
        if !formatted { found.append("\(path): \(Self.text(.string(s))) is not a \(format ?? "")") }
        return found
    }

    private func check(_ n: Double, minimum: (Double, Bool)?, maximum: (Double, Bool)?, _ path: String) -> [String] {
        if let (bound, exclusive) = minimum, exclusive ? n <= bound : n < bound { return ["\(path): \(n) is below \(bound)"] }
        if let (bound, exclusive) = maximum, exclusive ? n >= bound : n > bound { return ["\(path): \(n) is above \(bound)"] }
        return []
    }

    private func mismatch(_ type: String, _ value: JSONValue, _ path: String) -> [String] {
        ["\(path): expected \(type), got \(Self.text(value))"]
    }

    /// RFC 3339 date-time (any offset, optional fraction).
    private static let dateTime = try! NSRegularExpression(
        pattern: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#)

    /// An `enum`/`const` value from the document as a `JSONValue`.
    static func json(_ value: Any) -> JSONValue {
        switch value {
        case let b as Bool: return .bool(b)
        case let i as Int: return .number(Double(i))
        case let d as Double: return .number(d)
        case let s as String: return .string(s)
        case let a as [Any]: return .array(a.map(json))
        case let o as [String: Any]: return .object(o.mapValues(json))
        default: return .null
        }
    }

    static func text(_ value: JSONValue) -> String { String(decoding: CanonicalJSON.bytes(value), as: UTF8.self).prefix(120).description }
}
