/// What ``AccessPolicy`` decided, and why.
///
/// ```swift
/// switch AccessPolicy.decide(principal, .projectView, resource, context) {
/// case .allowed: …
/// case .denied(let denial) where denial.concealsExistence: // answer 404
/// case .denied(let denial): // answer 403 with denial.message
/// }
/// ```
public enum Decision: Sendable, Hashable, CustomStringConvertible {
    /// Allowed by the named rule, e.g. `fabricator may project.view: project is approved`.
    case allowed(rule: String)
    /// Denied, with the reason.
    case denied(reason: Denial)

    /// Whether the request may go ahead.
    public var isAllowed: Bool {
        if case .allowed = self { true } else { false }
    }

    /// The rule that allowed the request, if it was allowed.
    public var rule: String? {
        if case .allowed(let rule) = self { rule } else { nil }
    }

    /// Why the request was denied, if it was.
    public var denial: Denial? {
        if case .denied(let denial) = self { denial } else { nil }
    }

    /// `allowed: rule` or `denied: code: message`.
    public var description: String {
        switch self {
        case .allowed(let rule): "allowed: \(rule)"
        case .denied(let denial): "denied: \(denial)"
        }
    }
}
