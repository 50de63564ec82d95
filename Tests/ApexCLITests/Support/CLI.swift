import ApexChildProcess
import ApexTestSupport
import Foundation

struct CLIError: Error, CustomStringConvertible {
    var description: String
}

/// What one run of the real `apex-cli` binary did.
struct CLIResult: Sendable, CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Runs the built `apex-cli` executable, as a user would: the one SwiftPM built beside the
/// tests (`swift test` and `swift build --build-tests` build it); the tests never build it.
enum CLI {
    /// Runs `apex-cli arguments…` with `environment` added to a clean copy of this process's
    /// (every APEX_ variable removed), in `directory` (else this process's), and waits for it.
    static func run(_ arguments: [String], environment: [String: String] = [:], in directory: String? = nil) async throws -> CLIResult {
        let outcome = try await ChildProcess.run(
            try BuiltProducts.executable("apex-cli"), arguments, adding: environment, removing: { $0.hasPrefix("APEX_") }, in: directory, outputLimit: 64 << 20)
        return CLIResult(status: outcome.status, stdout: outcome.output, stderr: outcome.errors)
    }

    /// Parses a JSON object printed by `--json`.
    static func object(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw CLIError(description: "not a JSON object: \(text)")
        }
        return object
    }
}
