import ApexDomain
import Foundation

/// What of an account a principal may view, by kind of hit, as the policy's role matrix grants
/// `project.view`, `calculation.view` and `file.view`: the index narrows its query by it, so a
/// fabricator's search does not rank the projects it may not see. The final word on each hit is
/// still ``AccessPolicy/decide(_:_:_:_:)``.
struct SearchScope: Sendable, Hashable {
    /// The kind.
    var kind: SearchKind
    /// Only projects in one of these statuses (nil: any).
    var statuses: [ProjectStatus]?
    /// Only projects of this client (nil: any).
    var clientID: UUID?

    /// The scopes `principal` may search, narrowed to `kind` if given; empty when it may view none.
    static func scopes(of principal: Principal, kind: SearchKind?) -> [SearchScope] {
        let kinds = kind.map { [$0] } ?? SearchKind.allCases
        return kinds.compactMap { kind in
            switch AccessPolicy.matrix[principal.role]?[kind.viewPermission] {
            case .always: SearchScope(kind: kind)
            case .approvedOnly: SearchScope(kind: kind, statuses: ProjectStatus.allCases.filter(\.isApprovedOrLater))
            case .ownOnly: SearchScope(kind: kind, clientID: principal.userID)
            case .withPELicense, nil: nil
            }
        }
    }
}
