import Foundation
package import Subprocess
import SystemPackage

/// Runs another program to completion and collects what it printed (the PostgreSQL client tools
/// ApexBackup runs, the programs the tests run), or runs one beside a body of work
/// (``withRunning(_:_:adding:removing:in:_:)``: the servers the tests and apex-bench start).
///
/// Spawned with swift-subprocess rather than Foundation's `Process`, whose `run()` on Linux
/// (Swift 6.3.1) over-reads `/proc/self/fd` entries and now and then crashes the whole process
/// (swift-corelibs-foundation#5472).
package enum ChildProcess {
    /// What a finished program did.
    package struct Outcome: Sendable, CustomStringConvertible {
        /// The exit status; 128 + the signal's number when a signal ended it.
        package var status: Int32
        /// Standard output.
        package var output: String
        /// Standard error.
        package var errors: String

        /// `exit N`, then both streams.
        package var description: String { "exit \(status)\nstdout: \(output)\nstderr: \(errors)" }
    }

    /// Runs `executable` (a path) with `arguments` in `directory`, its environment this process's
    /// without the variables `removing` selects, plus `adding`; standard input is empty. Output
    /// beyond `outputLimit` bytes (standard error: 1 MiB) fails the run; the buffers are
    /// reserved up front, so a program that prints little should be given a small limit.
    package static func run(
        _ executable: String, _ arguments: [String], adding: [String: String] = [:],
        removing: (String) -> Bool = { _ in false }, in directory: String? = nil, outputLimit: Int = 1 << 20
    ) async throws -> Outcome {
        let result = try await Subprocess.run(
            .path(FilePath(executable)), arguments: Arguments(arguments), environment: environment(adding: adding, removing: removing),
            workingDirectory: directory.map { FilePath($0) }, input: .none, output: .string(limit: outputLimit),
            error: .string(limit: 1 << 20))
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        return Outcome(status: status, output: result.standardOutput, errors: result.standardError)
    }

    /// This process's environment without the variables `removing` selects, plus `adding`.
    package static func environment(adding: [String: String], removing: (String) -> Bool) -> Environment {
        var environment = ProcessInfo.processInfo.environment.filter { !removing($0.key) }
        environment.merge(adding) { $1 }
        // Raw entries are handed to strdup(3): each must end in its NUL.
        return .custom(environment.map { Array("\($0.key)=\($0.value)".utf8) + [0] })
    }
}
