/// Reads and validates the raw inputs of one calculation, and collects their normalized form
/// (every input present, defaults filled in) for the result.
///
/// Every refusal is a ``DomainError`` with code `.invalidInput` and `field` `inputs.<name>`.
struct InputReader {
    /// The calculation the inputs are for, named in messages.
    let type: CalculationType
    /// The inputs as received.
    let raw: [String: JSONValue]
    /// The inputs read so far, validated, with defaults filled in.
    private(set) var normalized: [String: JSONValue] = [:]

    /// Starts reading `raw`, refusing any input whose name is not in `names`.
    ///
    /// Unknown names are checked first, in sorted order, so the same bad input always gives the same error.
    init(_ type: CalculationType, _ raw: [String: JSONValue], names: [String]) throws(DomainError) {
        self.type = type
        self.raw = raw
        for name in raw.keys.sorted() where TextRules.firstControl(in: name, multiline: false) != nil {
            throw DomainError(.invalidText, "input names must not contain control characters", field: "inputs")
        }
        for name in raw.keys.sorted() where !names.contains(name) {
            let hint = Self.suggestion(for: name, among: names).map { " Did you mean '\($0)'?" } ?? ""
            throw DomainError(
                .invalidInput,
                "'\(name)' is not an input of \(type.rawValue).\(hint) Its inputs are: \(names.joined(separator: ", ")).",
                field: "inputs.\(name)")
        }
    }

    /// Reads the number `name`. Without a `defaultValue` it is required; `null` counts as absent.
    ///
    /// - Parameter meaning: what the input is, for messages, e.g. `basic wind speed`.
    mutating func number(
        _ name: String, _ meaning: String, in range: NumberRange, default defaultValue: Double? = nil
    ) throws(DomainError) -> Double {
        let field = "inputs.\(name)"
        let value: Double
        switch raw[name] {
        case nil, .null?:
            guard let defaultValue else {
                throw DomainError(
                    .invalidInput,
                    "Missing input '\(name)' (\(meaning)): give a number \(range.phrase).", field: field)
            }
            value = defaultValue
        case .number(let n)?:
            guard n.isFinite else {
                throw DomainError(
                    .invalidInput, "Input '\(name)' (\(meaning)) must be a finite number \(range.phrase).",
                    field: field)
            }
            guard range.contains(n) else {
                let note = range.note.map { " (\($0))" } ?? ""
                throw DomainError(
                    .invalidInput,
                    "Input '\(name)' (\(meaning)) must be \(range.phrase)\(note); got \(CanonicalJSON.number(n)).",
                    field: field)
            }
            value = n + 0.0  // -0 becomes 0, so equal inputs encode (and hash) the same
        case let other?:
            throw DomainError(
                .invalidInput,
                "Input '\(name)' (\(meaning)) must be a number \(range.phrase), not \(Self.kind(of: other)).",
                field: field)
        }
        normalized[name] = .number(value)
        return value
    }

    /// Reads the required exposure category `name`: the string `"B"`, `"C"` or `"D"`.
    mutating func exposure(_ name: String = "exposure") throws(DomainError) -> Exposure {
        let field = "inputs.\(name)"
        let choices = Exposure.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        switch raw[name] {
        case nil, .null?:
            throw DomainError(
                .invalidInput, "Missing input '\(name)' (wind exposure category): give one of \(choices).",
                field: field)
        case .string(let text)?:
            try TextRules.check(text, field: field)
            guard let exposure = Exposure(rawValue: text) else {
                let hint = Exposure(rawValue: text.uppercased()).map { " Did you mean \"\($0.rawValue)\"?" } ?? ""
                throw DomainError(
                    .invalidInput,
                    "Input '\(name)' (wind exposure category) must be one of \(choices); got \"\(text)\".\(hint)",
                    field: field)
            }
            normalized[name] = .string(exposure.rawValue)
            return exposure
        case let other?:
            throw DomainError(
                .invalidInput,
                "Input '\(name)' (wind exposure category) must be a string, one of \(choices), not \(Self.kind(of: other)).",
                field: field)
        }
    }

    /// How a JSON value's kind reads in a sentence: `a string`, `an array`, ….
    static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
