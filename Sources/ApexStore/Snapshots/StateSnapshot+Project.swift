public import ApexDomain
public import Foundation

extension StateSnapshot {
    /// A project's state as a snapshot of `stream`, with this build's domain and engine versions.
    public init(project state: ProjectState, stream: StreamID, createdAt: Date = Date()) throws {
        let value = try CanonicalJSON.value(of: state)
        self.init(
            stream: stream, version: state.version, domainVersion: ProjectState.domainVersion, engineVersion: CalculationEngine.version,
            state: CanonicalJSON.string(value), stateHash: state.stateHash, createdAt: createdAt)
    }

    /// The project state it holds, or nil when this build must not start from it: another domain
    /// version, a state that does not decode, or one that does not hash to ``stateHash`` or is
    /// not at ``version``.
    public func projectState() -> ProjectState? {
        guard domainVersion == ProjectState.domainVersion, let state = try? decodedProjectState() else { return nil }
        guard state.version == version, state.stateHash == stateHash else { return nil }
        return state
    }

    /// The stored state decoded, checked against nothing.
    func decodedProjectState() throws -> ProjectState {
        try CanonicalJSON.decode(ProjectState.self, from: try JSONValue.parse(state))
    }
}
