package import ArgumentParser

/// `--store`: the store a command opens. Without it, `APEX_STORE_URL`, then the embedded SQLite
/// default (``Settings/storeURL(_:)``).
package struct StoreOption: ParsableArguments {
    /// The URL given on the command line, if any.
    @Option(name: .customLong("store"), help: "Store URL (env APEX_STORE_URL).") package var url: String?

    /// An option parsed from the command line.
    package init() {}
}
