import Subprocess
import SystemPackage

extension ChildProcess {
    /// How a program ended.
    package enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It exited with this status.
        case exited(Int32)
        /// This signal ended it.
        case signaled(Int32)

        /// `exit N` or `signal N`.
        package var description: String {
            switch self {
            case .exited(let status): "exit \(status)"
            case .signaled(let signal): "signal \(signal)"
            }
        }
    }

    /// A program that ``withRunning(_:_:adding:removing:in:_:)`` started, while its body runs.
    package struct Running: Sendable {
        fileprivate let execution: Execution<CustomWriteInput, SequenceOutput, DiscardedOutput>

        /// Standard output as it arrives, in chunks. It can be iterated once.
        package var output: some AsyncSequence<[UInt8], any Error> {
            execution.standardOutput.map { buffer in buffer.withUnsafeBytes { Array($0) } }
        }

        /// The program's process id (to read its `/proc/<pid>/status`, say).
        package var processIdentifier: Int32 { Int32(execution.processIdentifier.value) }

        /// Sends `signal` (`SIGKILL`, `SIGTERM`, …) to the program.
        package func send(_ signal: Int32) throws {
            try execution.send(signal: Signal(rawValue: signal))
        }
    }

    /// Starts `executable` (a path) with `arguments` in `directory`, its environment this
    /// process's without the variables `removing` selects, plus `adding`, and runs `body` while
    /// it runs. Standard input stays open until `body` ends (a program can watch it to exit
    /// when its parent dies), standard output is ``Running/output``, standard error is
    /// discarded. When `body` ends, standard input is closed and the program gets SIGTERM, then
    /// SIGKILL 5 seconds later if it is still running; this returns once it has ended.
    package static func withRunning<T: Sendable>(
        _ executable: String, _ arguments: [String], adding: [String: String] = [:],
        removing: (String) -> Bool = { _ in false }, in directory: String? = nil,
        _ body: (Running) async throws -> T
    ) async throws -> (value: T, termination: Termination) {
        let result = try await Subprocess.run(
            .path(FilePath(executable)), arguments: Arguments(arguments), environment: environment(adding: adding, removing: removing),
            workingDirectory: directory.map { FilePath($0) }, input: .inputWriter, output: .sequence, error: .discarded
        ) { execution in
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body(Running(execution: execution))) } catch { outcome = .failure(error) }
            try? await execution.standardInputWriter.finish()
            await execution.teardown(using: [.gracefulShutDown(allowedDurationToNextStep: .seconds(5))])
            return outcome
        }
        let termination: Termination
        switch result.terminationStatus {
        case .exited(let status): termination = .exited(status)
        case .signaled(let signal): termination = .signaled(signal)
        }
        return (try result.closureResult.get(), termination)
    }
}
