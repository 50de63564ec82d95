public import ApexDomain
public import Foundation

/// How an export shows projects, calculations and audit entries as JSON: the shapes (and the
/// redaction of personal data) of the API that serves them, handed in by that API, so that an
/// export shows exactly what the API's own routes show the same caller.
public struct ExportPresentation: Sendable {
    /// A project as `GET /v1/projects/{id}` shows it.
    public var project: @Sendable (ProjectState) -> JSONValue
    /// One revision of a calculation, with its approval (and the approval's time, when known) or null.
    public var calculation: @Sendable (_ record: CalculationRecord, _ revision: Int, _ approvedAt: Date?) -> JSONValue
    /// An audit entry as `GET /v1/projects/{id}/events` shows it to this caller.
    public var entry: @Sendable (AuditEntry) -> JSONValue

    /// A presentation from these three shapes.
    public init(
        project: @escaping @Sendable (ProjectState) -> JSONValue,
        calculation: @escaping @Sendable (_ record: CalculationRecord, _ revision: Int, _ approvedAt: Date?) -> JSONValue,
        entry: @escaping @Sendable (AuditEntry) -> JSONValue
    ) {
        self.project = project
        self.calculation = calculation
        self.entry = entry
    }
}
