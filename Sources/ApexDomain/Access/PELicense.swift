public import Foundation

/// A Professional Engineer license: approving a calculation needs one that has not expired and
/// that an owner or admin other than the licensee recorded or confirmed (``confirmedBy``).
///
/// On the wire: `{"number", "state", "expires_on"}`, and `confirmed_by` once the license is in effect.
/// Events recorded before confirmation existed carry no `confirmed_by`: such a license is pending.
public struct PELicense: Sendable, Hashable, Codable {
    /// The license number.
    public var number: String
    /// The issuing state, e.g. `TX`: a US state, DC or territory code (``issuingStates``).
    public var state: String
    /// The last day the license is valid.
    public var expiresOn: CivilDate
    /// The owner or admin, other than the licensee, who recorded or confirmed it; nil while pending.
    public var confirmedBy: UUID?

    /// A license.
    public init(number: String, state: String, expiresOn: CivilDate, confirmedBy: UUID? = nil) {
        self.number = number
        self.state = state
        self.expiresOn = expiresOn
        self.confirmedBy = confirmedBy
    }

    /// This license as confirmed by `user`.
    public func confirmed(by user: UUID?) -> PELicense {
        var license = self
        license.confirmedBy = user
        return license
    }

    /// The codes a license may be issued under: the 50 states, DC, and the territories
    /// (American Samoa, Guam, Northern Mariana Islands, Puerto Rico, US Virgin Islands).
    public static let issuingStates: Set<String> = [
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD",
        "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC",
        "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC", "AS", "GU", "MP", "PR", "VI",
    ]

    /// Throws ``DomainError`` naming `pe_license.number` or `pe_license.state` when either is malformed.
    public func validate() throws(DomainError) {
        guard !number.isEmpty, number.count <= 40 else {
            throw DomainError(.invalidInput, "pe_license.number must be 1-40 characters", field: "pe_license.number")
        }
        try TextRules.check(number, field: "pe_license.number")
        try TextRules.check(state, field: "pe_license.state")
        guard Self.issuingStates.contains(state) else {
            throw DomainError(
                .invalidInput, "pe_license.state must be the code of a US state, DC or territory, such as TX, DC or PR",
                field: "pe_license.state")
        }
    }

    enum CodingKeys: String, CodingKey {
        case number, state
        case expiresOn = "expires_on"
        case confirmedBy = "confirmed_by"
    }
}
