import Foundation

/// Encodes an `Encodable` straight into a ``JSONValue`` tree: the tree ``DomainCoder/encoder``'s
/// text would parse to (dates as ``Timestamp`` strings, `Data` as base64, optionals left out by
/// `encodeIfPresent`), without printing and parsing text.
///
/// Every decided event's payload and every response's state hash is made this way.
struct JSONValueEncoder {
    /// The tree for `value`.
    static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = Node()
        try root.encode(value, codingPath: [])
        return root.value
    }
}

/// A node under construction: containers are shared by reference, as `Encoder` requires.
private final class Node {
    enum Content {
        case empty
        case value(JSONValue)
        case object([String: Node])
        case array([Node])
    }

    var content: Content = .empty

    var value: JSONValue {
        switch content {
        case .empty: .object([:])
        case .value(let v): v
        case .object(let members): .object(members.mapValues(\.value))
        case .array(let items): .array(items.map(\.value))
        }
    }

    func encode<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        switch value {
        case let date as Date: content = .value(.string(Timestamp.format(date)))
        case let data as Data: content = .value(.string(data.base64EncodedString()))
        case let url as URL: content = .value(.string(url.absoluteString))
        case let json as JSONValue: content = .value(json)
        default: try value.encode(to: ValueEncoder(node: self, codingPath: codingPath))
        }
    }

    func child(_ key: String) -> Node {
        if case .object(let members) = content, let existing = members[key] { return existing }
        let node = Node()
        if case .object(var members) = content {
            content = .empty
            members[key] = node
            content = .object(members)
        } else {
            content = .object([key: node])
        }
        return node
    }

    func append() -> Node {
        let node = Node()
        if case .array(var items) = content {
            content = .empty
            items.append(node)
            content = .array(items)
        } else {
            content = .array([node])
        }
        return node
    }

    func makeObject() { if case .object = content {} else { content = .object([:]) } }
    func makeArray() { if case .array = content {} else { content = .array([]) } }
}

private struct ValueEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) { node.child(key.stringValue).content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.child(key.stringValue).encode(value, codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = node.child(key.stringValue)
        child.makeObject()
        return KeyedEncodingContainer(Keyed<NestedKey>(node: child, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.child(key.stringValue)
        child.makeArray()
        return Unkeyed(node: child, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> any Encoder { ValueEncoder(node: node.child("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { ValueEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key]) }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    var count: Int {
        if case .array(let items) = node.content { return items.count }
        return 0
    }

    mutating func encodeNil() { node.append().content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.append().encode(value, codingPath: codingPath) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = node.append()
        child.makeObject()
        return KeyedEncodingContainer(Keyed<NestedKey>(node: child, codingPath: codingPath))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = node.append()
        child.makeArray()
        return Unkeyed(node: child, codingPath: codingPath)
    }
    mutating func superEncoder() -> any Encoder { ValueEncoder(node: node.append(), codingPath: codingPath) }
}

private struct Single: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    mutating func encodeNil() { node.content = .value(.null) }
    mutating func encode(_ value: Bool) { node.content = .value(.bool(value)) }
    mutating func encode(_ value: String) { node.content = .value(.string(value)) }
    mutating func encode(_ value: Double) throws { node.content = .value(.number(try Self.finite(value, codingPath))) }
    // A Float prints in its own shortest form, which is what the text path would have parsed.
    mutating func encode(_ value: Float) throws { node.content = .value(.number(try Self.finite(Double("\(value)") ?? Double(value), codingPath))) }
    mutating func encode(_ value: Int) { node.content = .value(.number(Double(value))) }
    mutating func encode(_ value: Int8) { node.content = .value(.number(Double(value))) }
    mutating func encode(_ value: Int16) { node.content = .value(.number(Double(value))) }
    mutating func encode(_ value: Int32) { node.content = .value(.number(Double(value))) }
    mutating func encode(_ value: Int64) { node.content = .value(.number(Double(value))) }
    mutating func encode(_ value: UInt) { node.content = .value(.number(Double(value))) }
    mutating func encode(_ value: UInt8) { node.content = .value(.number(Double(value))) }
    mutating func encode(_ value: UInt16) { node.content = .value(.number(Double(value))) }
    mutating func encode(_ value: UInt32) { node.content = .value(.number(Double(value))) }
    mutating func encode(_ value: UInt64) { node.content = .value(.number(Double(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.encode(value, codingPath: codingPath) }

    /// JSON has no NaN or infinity; the text path refuses them too.
    static func finite(_ value: Double, _ codingPath: [any CodingKey]) throws -> Double {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "\(value) is not a JSON number"))
        }
        return value
    }
}
