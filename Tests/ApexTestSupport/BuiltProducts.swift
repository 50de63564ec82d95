package import Foundation

/// The executables SwiftPM built beside the running tests, such as `apex-cli`.
///
/// Test targets cannot depend on an executable, but `swift test` and `swift build --build-tests`
/// build every product into the folder that also holds the test bundle
/// (`.build/<triple>/<configuration>/`). The tests run those binaries and never build anything
/// themselves: a missing one is a failure that says what to build.
package enum BuiltProducts {
    /// The folder holding the test bundle (`….xctest`), hence the built products.
    package static let folder: Result<URL, FixtureError> = {
        let candidates = [Bundle.main.executableURL, Bundle.main.bundleURL] + Bundle.allBundles.map(\.bundleURL)
        for case let url? in candidates {
            var url = url.resolvingSymlinksInPath()
            while url.path != "/" {
                if url.pathExtension == "xctest" { return .success(url.deletingLastPathComponent()) }
                url.deleteLastPathComponent()
            }
        }
        return .failure(FixtureError("no .xctest bundle among \(candidates.compactMap { $0?.path }): run the tests with `swift test`"))
    }()

    /// The path of the executable product `name` in ``folder``, or a failure that says how to build it.
    package static func executable(_ name: String) throws -> String {
        let path = try folder.get().appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw FixtureError(
                "\(name) is not built at \(path): run `swift build --build-tests` (scripts/test.sh does) or `swift test` without --skip-build, which build every product")
        }
        return path
    }
}
