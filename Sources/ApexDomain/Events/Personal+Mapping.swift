extension JSONValue {
    /// The value with `transform` applied to every personal value (`pii` object) in it. A value
    /// without one is returned as it is: most payloads hold none, and rebuilding every object
    /// costs more than reading it.
    package func mappingPersonal(_ transform: (Personal) -> Personal) -> JSONValue {
        containsPersonal ? mapped(transform) : self
    }

    /// Whether a personal value occurs anywhere in the value.
    var containsPersonal: Bool {
        switch self {
        case .object(let members):
            if case .string? = members["pii"] { return true }
            return members.values.contains(where: \.containsPersonal)
        case .array(let items):
            return items.contains(where: \.containsPersonal)
        default:
            return false
        }
    }

    private func mapped(_ transform: (Personal) -> Personal) -> JSONValue {
        switch self {
        case .object(let members):
            if let personal = Personal(json: self) { return transform(personal).json }
            return .object(members.mapValues { $0.mapped(transform) })
        case .array(let items):
            return .array(items.map { $0.mapped(transform) })
        default:
            return self
        }
    }
}

extension RequestMetadata {
    /// The metadata with `transform` applied to each personal field.
    package func mappingPersonal(_ transform: (Personal) -> Personal) -> RequestMetadata {
        var metadata = self
        for field in personalFields {
            if let p = metadata[keyPath: field] { metadata[keyPath: field] = transform(p) }
        }
        return metadata
    }
}

extension EnvelopeParts {
    /// The parts with `transform` applied to every personal value in data and request metadata.
    package func mappingPersonal(_ transform: (Personal) -> Personal) -> EnvelopeParts {
        EnvelopeParts(data: data.mappingPersonal(transform), actor: actor, requestMetadata: requestMetadata.mappingPersonal(transform))
    }
}
