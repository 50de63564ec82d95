import ApexDomain
import ApexFiles
import ApexServer
import ApexStore
import ApexTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

/// Thumbnails made by the server's `file-thumbnails` consumer with the real `vipsthumbnail` and
/// `pdftoppm`, from a PNG and a PDF made in the test, served through the real router, on SQLite
/// and PostgreSQL.
@Suite struct FileThumbnailTests {
    @Test(arguments: StoreKind.allCases)
    func aPNGAndAPDFGetThumbnailsOfAtMost256Pixels(_ kind: StoreKind) async throws {
        try await World.withFiles(kind) { world in
            let project = world.project("draft")
            let base = "/v1/projects/\(project.lowercased)/files"
            try await world.test { client in
                let png = try await client.upload(project, bytes: TestPNG.make(width: 600, height: 400), filename: "site.png", type: "image/png", as: world.token("engineer"))
                #expect(png.code == 201, "\(png.text)")
                let pngID = try #require(png["file_id"]?.stringValue)
                let pdf = try await client.upload(project, TestPDF.make(), as: world.token("engineer"))
                let pdfID = try #require(pdf["file_id"]?.stringValue)
                let text = try await client.upload(project, bytes: Array("notes".utf8), filename: "notes.txt", type: "text/plain", as: world.token("engineer"))
                let textID = try #require(text["file_id"]?.stringValue)
                expectProblem(try await client.call(.get, "\(base)/\(pngID)/thumbnail", as: world.token("owner")), 404, "thumbnail_not_found")

                try await world.catchUp(FileThumbnails.consumerName)

                let image = try await client.bytes("\(base)/\(pngID)/thumbnail", as: world.token("estimator"))
                #expect(image.status == .ok)
                #expect(image.headers[.contentType] == "image/png")
                let imageSize = try #require(TestPNG.size(image.bytes), "not a PNG")
                #expect(imageSize.width == 256 && imageSize.height <= 256 && imageSize.height >= 160, "\(imageSize)")

                let page = try await client.bytes("\(base)/\(pdfID)/thumbnail?revision=1", as: world.token("owner"))
                #expect(page.status == .ok)
                let pageSize = try #require(TestPNG.size(page.bytes), "not a PNG")
                #expect(pageSize.height == 256 && pageSize.width < 256 && pageSize.width > 150, "\(pageSize)")

                expectProblem(try await client.call(.get, "\(base)/\(textID)/thumbnail", as: world.token("owner")), 404, "thumbnail_not_found")
                expectProblem(try await client.call(.get, "\(base)/\(pngID)/thumbnail?revision=2", as: world.token("owner")), 404, "not_found")
                // The role rules are those of the bytes (file.view): every member gets the same answer from both.
                for member in World.members.map(\.name) {
                    let bytes = try await client.call(.get, "\(base)/\(pngID)/content", as: world.token(member))
                    let thumbnail = try await client.call(.get, "\(base)/\(pngID)/thumbnail", as: world.token(member))
                    #expect(bytes.code == thumbnail.code && bytes["code"] == thumbnail["code"], "\(member): \(bytes.code) vs \(thumbnail.code)")
                }
                // Another account cannot see it.
                let other = try await world.otherAccount()
                expectProblem(try await client.call(.get, "\(base)/\(pngID)/thumbnail", as: other.token), 404, "not_found")
            }
            let made = try await world.fileEvents(project).filter { $0.type == FileThumbnailCreated.type }
            #expect(made.count == 2)
            // A replay (a reset consumer) makes no second one.
            try await world.store.resetConsumer(FileThumbnails.consumerName)
            try await world.catchUp(FileThumbnails.consumerName)
            #expect(try await world.fileEvents(project).filter { $0.type == FileThumbnailCreated.type }.count == 2)
        }
    }

    @Test func aBrokenImageOrAMissingToolMeansNoThumbnailNeverAFailure() async throws {
        try await World.withFiles(.sqlite) { world in
            let project = world.project("draft")
            try await world.test { client in
                let broken = try await client.upload(project, bytes: Array("not really a png".utf8), filename: "broken.png", type: "image/png", as: world.token("engineer"))
                #expect(broken.code == 201)
                _ = try await client.upload(project, bytes: TestPNG.make(width: 40, height: 30), filename: "tiny.png", type: "image/png", as: world.token("engineer"))
                // A server without the tools: nothing made, the queue moves on.
                var maker = ThumbnailMaker()
                maker.searchPath = []
                let blobs = try BlobURL.store(try #require(world.configuration.blobURL))
                let without = FileThumbnails(store: world.store, blobs: blobs, maker: maker, logger: World.logger)
                _ = try await ConsumerRunner(without, store: world.store, logger: World.logger).catchUp()
                #expect(try await world.fileEvents(project).filter { $0.type == FileThumbnailCreated.type }.isEmpty)
                // With them, the broken file still gets none and the small image keeps its size.
                try await world.store.resetConsumer(FileThumbnails.consumerName)
                try await world.catchUp(FileThumbnails.consumerName)
                let made = try await world.fileEvents(project).filter { $0.type == FileThumbnailCreated.type }
                #expect(made.count == 1)
                #expect(made.first?.data["image"]?["width"]?.numberValue == 40)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aScannedRevisionGetsItsThumbnailOnlyOnceClean(_ kind: StoreKind) async throws {
        let clamd = try TestClamd.address()
        try await World.withFiles(kind, configure: { $0.clamd = clamd }) { world in
            let project = world.project("draft")
            try await world.test { client in
                let up = try await client.upload(project, bytes: TestPNG.make(width: 300, height: 300), filename: "a.png", type: "image/png", as: world.token("engineer"))
                let fid = try #require(up["file_id"]?.stringValue)
                let thumb = "/v1/projects/\(project.lowercased)/files/\(fid)/thumbnail"
                try await world.catchUp(FileThumbnails.consumerName)
                expectProblem(try await client.call(.get, thumb, as: world.token("owner")), 404, "thumbnail_not_found")
                try await world.catchUp(FileScanner.consumerName)
                try await world.catchUp(FileThumbnails.consumerName)
                let image = try await client.bytes(thumb, as: world.token("owner"))
                #expect(image.status == .ok)
                #expect(TestPNG.size(image.bytes).map { $0.width == 256 && $0.height == 256 } == true)
            }
        }
    }
}
