/// A fixture that cannot be set up (or a test that cannot even check what it checks), with the
/// reason and what to do about it.
package struct FixtureError: Error, CustomStringConvertible {
    /// The reason, safe to show.
    package var description: String

    /// A failure saying `description`.
    package init(_ description: String) { self.description = description }

    /// A failure saying `description`.
    package init(description: String) { self.description = description }
}
