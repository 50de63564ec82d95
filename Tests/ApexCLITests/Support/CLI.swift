import ApexBackup
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
    /// (every APEX_ variable removed), in `directory` (else this process's), and waits for it.
    static func run(_ arguments: [String], environment: [String: String] = [:], in directory: String? = nil) async throws -> CLIResult {
        let outcome = try await ChildProcess.run(
            try binary.get().path, arguments, adding: environment, removing: { $0.hasPrefix("APEX_") }, in: directory, outputLimit: 64 << 20)
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
