import Foundation
import Subprocess
import SystemPackage

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

/// Runs the built `apex-cli` executable, as a user would.
///
/// Test targets cannot depend on an executable, so the binary is found at
/// `<package>/.build/debug/apex-cli` (CI runs `swift build` before `swift test`); when it is
/// missing, `swift build --product apex-cli` builds it once.
enum CLI {
    /// The package root: the first folder above this file that holds Package.swift.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/", !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static let binary: Result<URL, CLIError> = {
        let url = packageRoot.appendingPathComponent(".build/debug/apex-cli")
        if FileManager.default.isExecutableFile(atPath: url.path) { return .success(url) }
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        build.arguments = ["swift", "build", "--product", "apex-cli"]
        build.currentDirectoryURL = packageRoot
        do {
            try build.run()
            build.waitUntilExit()
        } catch {
            return .failure(CLIError(description: "cannot run swift build: \(error)"))
        }
        guard build.terminationStatus == 0, FileManager.default.isExecutableFile(atPath: url.path) else {
            return .failure(CLIError(description: "\(url.path) is missing and `swift build --product apex-cli` failed: run `swift build` first"))
        }
        return .success(url)
    }()

    /// Runs `apex-cli arguments…` with `environment` added to a clean copy of this process's
    /// (every APEX_ variable removed), and waits for it.
    ///
    /// Spawned with swift-subprocess: Foundation's `Process.run()` on Linux (Swift 6.3.1)
    /// over-reads `/proc/self/fd` entries and now and then crashes the whole test process
    /// (swift-corelibs-foundation#5472).
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> CLIResult {
        let binary = try binary.get()
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("APEX_") }
        env.merge(environment) { $1 }
        let result = try await Subprocess.run(
            .path(FilePath(binary.path)), arguments: Arguments(arguments),
            // Raw entries are handed to strdup(3): each must end in its NUL.
            environment: .custom(env.map { Array("\($0.key)=\($0.value)".utf8) + [0] }), input: .none,
            output: .string(limit: 64 << 20), error: .string(limit: 64 << 20))
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        return CLIResult(status: status, stdout: result.standardOutput, stderr: result.standardError)
    }

    /// Parses a JSON object printed by `--json`.
    static func object(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw CLIError(description: "not a JSON object: \(text)")
        }
        return object
    }
}
