import Foundation

extension CanonicalJSON {
    /// Whether `text` is exactly one JSON value written the way ``string(_:)`` writes it: no
    /// white space, object keys in ascending UTF-8 byte order without repeats, strings escaped
    /// only where JSON requires it (short forms for `"`, `\`, newline, return and tab, `\u00xx`
    /// in lowercase hex for the other control characters), numbers as ``number(_:)`` prints them.
    ///
    /// Equivalent to `CanonicalJSON.string(JSONValue.parse(text)) == text`, without building the
    /// value: a stored text that passes hashes as stored, so `verify` need not decode it.
    package static func isCanonical(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var checker = CanonicalChecker(bytes: bytes)
            return checker.value(depth: 0) && checker.index == bytes.count
        }
    }

    /// ``isCanonical(_:)``, adding to `subjects`, in the same pass, the string of every `pii`
    /// member: the subject of each personal value the text holds (``Personal``), so a reader
    /// can fetch the keys to open them without parsing the text. A text that is not canonical
    /// may leave some of its strings added (a key fetched that is not needed).
    package static func isCanonical(_ text: String, personalSubjects subjects: inout PersonalSubjects) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var checker = CanonicalChecker(bytes: bytes)
            checker.collecting = true
            swap(&checker.subjects, &subjects)
            defer { swap(&checker.subjects, &subjects) }
            return checker.value(depth: 0) && checker.index == bytes.count
        }
    }
}

/// The subjects of personal values collected by
/// ``CanonicalJSON/isCanonical(_:personalSubjects:)`` over many texts. A subject equal to the
/// one before it (the usual case: a request's metadata values, a page's events of one account
/// and month) is recognised by its bytes, without making or hashing a string.
package struct PersonalSubjects: Sendable {
    /// Every subject collected.
    package private(set) var all: Set<String> = []
    private var last = ""

    /// None yet.
    package init() {}

    /// Adds one subject.
    package mutating func insert(_ subject: String) {
        all.insert(subject)
        last = subject
    }

    /// Adds the subject spelled by `bytes` (UTF-8).
    mutating func insert(bytes: UnsafeBufferPointer<UInt8>) {
        if !all.isEmpty, last.utf8.count == bytes.count, last.utf8.withContiguousStorageIfAvailable({ $0.elementsEqual(bytes) }) ?? false { return }
        insert(String(decoding: bytes, as: UTF8.self))
    }

    /// Adds every subject of `other`.
    package mutating func formUnion(_ other: PersonalSubjects) { all.formUnion(other.all) }
}

/// One pass over the bytes; every method returns false at the first byte canonical JSON
/// would not have written.
private struct CanonicalChecker {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Whether the string ``string()`` read last held an escape.
    var lastStringEscaped = false
    /// Whether the `pii` members' strings are collected, and where.
    var collecting = false
    var subjects = PersonalSubjects()

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func value(depth: Int) -> Bool {
        guard depth < 512, index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"): return object(depth: depth)
        case UInt8(ascii: "["): return array(depth: depth)
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    mutating func object(depth: Int) -> Bool {
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return true
        }
        var previous: (key: Range<Int>, escaped: Bool)?
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = string() else { return false }
            let escaped = lastStringEscaped
            if let previous, !ascending(previous.key, key, escaped: previous.escaped || escaped) { return false }
            previous = (key, escaped)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            let valueStart = index
            guard value(depth: depth + 1) else { return false }
            if collecting, bytes[valueStart] == UInt8(ascii: "\""), isPII(key) {
                let content = valueStart + 1..<index - 1
                let raw = UnsafeBufferPointer(rebasing: bytes[content])
                if raw.contains(UInt8(ascii: "\\")) {
                    unescaped(content).withUnsafeBufferPointer { subjects.insert(bytes: $0) }
                } else {
                    subjects.insert(bytes: raw)
                }
            }
            guard let more = separator(closing: UInt8(ascii: "}")) else { return false }
            if !more { return true }
        }
    }

    mutating func array(depth: Int) -> Bool {
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return true
        }
        while true {
            guard value(depth: depth + 1), let more = separator(closing: UInt8(ascii: "]")) else { return false }
            if !more { return true }
        }
    }

    /// After a member or item: true past a comma (another follows), false past `closing`, nil
    /// at anything else.
    mutating func separator(closing: UInt8) -> Bool? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: ","):
            index += 1
            return true
        case closing:
            index += 1
            return false
        default:
            return nil
        }
    }

    /// A canonically escaped string; returns the range of its escaped content (between quotes),
    /// and sets ``lastStringEscaped``.
    mutating func string() -> Range<Int>? {
        index += 1
        let start = index
        lastStringEscaped = false
        while true {
            index = JSONScan.plainRunEnd(bytes, from: index)
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return start..<(index - 1)
            case UInt8(ascii: "\\"):
                lastStringEscaped = true
                guard index + 1 < bytes.count else { return nil }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    guard let unit = controlEscape(at: index), unit != 0x0A, unit != 0x0D, unit != 0x09 else { return nil }
                    index += 6
                default:
                    return nil
                }
            default:
                return nil  // a control character
            }
        }
    }

    /// The control character a `\u00xx` escape at `at` stands for, if it is written canonically.
    private func controlEscape(at: Int) -> UInt8? {
        guard at + 5 < bytes.count, bytes[at + 2] == UInt8(ascii: "0"), bytes[at + 3] == UInt8(ascii: "0") else { return nil }
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        guard let high = hex(bytes[at + 4]), let low = hex(bytes[at + 5]), high < 2 else { return nil }
        return high << 4 | low
    }

    /// Whether the key escaped in `a` sorts strictly before the key escaped in `b`, comparing
    /// the keys' own UTF-8 bytes (escapes decoded) as the writer sorts them.
    /// `escaped`: whether either holds an escape (else their bytes compare as they are).
    private func ascending(_ a: Range<Int>, _ b: Range<Int>, escaped: Bool) -> Bool {
        guard !escaped else { return unescaped(a).lexicographicallyPrecedes(unescaped(b)) }
        let common = Swift.min(a.count, b.count)
        let order = memcmp(bytes.baseAddress! + a.lowerBound, bytes.baseAddress! + b.lowerBound, common)
        return order != 0 ? order < 0 : a.count < b.count
    }

    /// Whether the key escaped in `key` is `pii` (which canonical text never escapes).
    private func isPII(_ key: Range<Int>) -> Bool {
        key.count == 3 && bytes[key.lowerBound] == UInt8(ascii: "p") && bytes[key.lowerBound + 1] == UInt8(ascii: "i")
            && bytes[key.lowerBound + 2] == UInt8(ascii: "i")
    }

    /// The bytes of a string whose escapes `string()` accepted.
    private func unescaped(_ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        var i = range.lowerBound
        while i < range.upperBound {
            guard bytes[i] == UInt8(ascii: "\\") else {
                out.append(bytes[i])
                i += 1
                continue
            }
            switch bytes[i + 1] {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"): out.append(controlEscape(at: i) ?? 0)
            default: out.append(bytes[i + 1])
            }
            i += bytes[i + 1] == UInt8(ascii: "u") ? 6 : 2
        }
        return out
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
            UnsafeBufferPointer(rebasing: bytes[index..<index + count]).elementsEqual(
                UnsafeBufferPointer(start: word.utf8Start, count: count))
        else { return false }
        index += count
        return true
    }

    /// A number exactly as `CanonicalJSON.number` prints it. Short integers are checked by
    /// their digits; anything else by printing the parsed value again.
    mutating func number() -> Bool {
        let start = index
        while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
        let token = UnsafeBufferPointer(rebasing: bytes[start..<index])
        guard !token.isEmpty else { return false }
        let digits = token.first == UInt8(ascii: "-") ? UnsafeBufferPointer(rebasing: token.dropFirst()) : token
        if !digits.isEmpty, digits.count <= 15, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            // An integer below 10^15: canonical unless it has a leading zero or is "-0".
            if digits.first == UInt8(ascii: "0") { return token.count == 1 }
            return true
        }
        let text = String(decoding: token, as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return false }
        return CanonicalJSON.number(value) == text
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
            true
        default:
            false
        }
    }
}
