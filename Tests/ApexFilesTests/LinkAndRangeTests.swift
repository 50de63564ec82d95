import ApexFiles
import Crypto
import Foundation
import Testing

/// Signed links and Range headers: pure.
@Suite struct LinkAndRangeTests {
    @Test func aSignatureCoversEveryField() {
        let signer = FileLinkSigner(key: SymmetricKey(data: Data(repeating: 7, count: 32)))
        let link = FileLink(account: UUID(), project: UUID(), file: UUID(), revision: 2, expires: 1_900_000_000)
        let signature = signer.signature(link)
        #expect(signer.isValid(signature, for: link))
        var changed = [link, link, link, link, link]
        changed[0].account = UUID()
        changed[1].project = UUID()
        changed[2].file = UUID()
        changed[3].revision = 3
        changed[4].expires += 1
        for other in changed { #expect(!signer.isValid(signature, for: other)) }
        #expect(!FileLinkSigner(key: SymmetricKey(data: Data(repeating: 8, count: 32))).isValid(signature, for: link))
        #expect(!signer.isValid(String(signature.dropLast()), for: link))
        #expect(!signer.isValid("", for: link))
    }

    @Test func rangesResolveAgainstTheSize() {
        #expect(ByteRange.resolve(nil, size: 10) == .whole)
        #expect(ByteRange.resolve("bytes=0-4", size: 10) == .partial(0..<5))
        #expect(ByteRange.resolve("bytes=5-", size: 10) == .partial(5..<10))
        #expect(ByteRange.resolve("bytes=-3", size: 10) == .partial(7..<10))
        #expect(ByteRange.resolve("bytes=-30", size: 10) == .partial(0..<10))
        #expect(ByteRange.resolve("bytes=8-100", size: 10) == .partial(8..<10))
        #expect(ByteRange.resolve("bytes=10-", size: 10) == .unsatisfiable)
        #expect(ByteRange.resolve("bytes=0-1,4-5", size: 10) == .whole)
        #expect(ByteRange.resolve("bytes=5-2", size: 10) == .whole)
        #expect(ByteRange.resolve("items=0-1", size: 10) == .whole)
        #expect(ByteRange.resolve("bytes=a-b", size: 10) == .whole)
    }
}
