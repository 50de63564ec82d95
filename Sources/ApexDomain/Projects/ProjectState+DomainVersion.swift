extension ProjectState {
    /// The version of what a replay produces: of ``apply(_:)`` and of the state's encoding.
    ///
    /// Bump it whenever the same events could fold into a different state, or the state could
    /// encode differently: persisted snapshots record it, and one of another domain version is
    /// discarded and the stream replayed from its first event. (2: files. 3: thumbnails, and the
    /// state hash hashes each calculation and file record on its own, ``stateHash``.)
    public static let domainVersion = 3
}
