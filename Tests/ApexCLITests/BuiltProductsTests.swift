import ApexTestSupport
import Foundation
import Testing

/// The tests run the apex-cli that SwiftPM built beside them, and never build it themselves.
@Suite("Finding the built apex-cli")
struct BuiltProductsTests {
    @Test func theBuiltCLISitsBesideTheTestBundle() throws {
        let path = try BuiltProducts.executable("apex-cli")
        #expect(path.hasSuffix("/apex-cli"))
        #expect(FileManager.default.isExecutableFile(atPath: path))
        #expect(FileManager.default.fileExists(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("apexPackageTests.xctest").path))
    }

    @Test func aMissingProductFailsSayingHowToBuildIt() throws {
        let error = try #require(throws: FixtureError.self) { try BuiltProducts.executable("apex-no-such-product") }
        #expect(error.description.contains("apex-no-such-product is not built at"))
        #expect(error.description.contains("swift build --build-tests"))
    }
}
