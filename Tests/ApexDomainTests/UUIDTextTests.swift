import ApexDomain
import Foundation
import Testing

@Suite("UUID text form")
struct UUIDTextTests {
    @Test func formatsAndParsesLikeFoundation() {
        for _ in 0..<2_000 {
            let id = UUID()
            #expect(id.lowercased == id.uuidString.lowercased())
            #expect(UUID(text: id.uuidString) == id)
            #expect(UUID(text: id.lowercased) == id)
        }
        let edge = UUID(uuid: (0, 0x0f, 0xf0, 0xff, 0x10, 0x9a, 0xa9, 0xba, 0xcd, 0xde, 0xef, 0xfe, 0x01, 0x23, 0x45, 0x67))
        #expect(edge.lowercased == "000ff0ff-109a-a9ba-cdde-effe01234567")
    }

    /// Stored outputs (the state's encoding, its hash, listings) sort records by id with UUID's
    /// own `<`, and must keep the order of the ids' text they were written in.
    @Test func comparingUUIDsOrdersThemAsTheirText() {
        var ids = (0..<5_000).map { _ in UUID() }
        ids.append(UUID(uuid: (0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        ids.append(UUID(uuid: (0x09, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)))
        #expect(ids.sorted() == ids.sorted { $0.uuidString < $1.uuidString })
        #expect(ids.sorted() == ids.sorted { $0.lowercased < $1.lowercased })
        #expect(ids.sorted(by: UUID.ordered) == ids.sorted(), "the word-wise order is UUID's own")
        let equal = UUID()
        #expect(!UUID.ordered(equal, equal))
        let byID = Dictionary(uniqueKeysWithValues: ids.map { ($0, $0.lowercased) })
        #expect(byID.idsInOrder == ids.sorted())
        #expect(byID.valuesInIDOrder == ids.map(\.lowercased).sorted())
    }

    @Test(arguments: [
        "", "000ff0ff-109a-a9ba-cdde-effe0123456", "000ff0ff-109a-a9ba-cdde-effe012345678", "000ff0ff0109a-a9ba-cdde-effe01234567",
        "000ff0ff-109a-a9ba-cdde-effe0123456g", "{00ff0ff-109a-a9ba-cdde-effe01234567", "000ff0ff-109a-a9ba-cdde-effe01234é",
    ])
    func rejectsWhatFoundationRejects(text: String) {
        #expect(UUID(text: text) == nil)
        #expect(UUID(uuidString: text) == nil)
    }

    /// `verify` trusts a stored id as canonical only in exactly the form `lowercased` writes.
    @Test(arguments: [
        "", "000FF0FF-109A-A9BA-CDDE-EFFE01234567", "000ff0ff-109a-a9ba-cdde-effe0123456", "000ff0ff0109a-a9ba-cdde-effe01234567",
        "000ff0ff-109a-a9ba-cdde-effe0123456g", "000ff0ff-109a-a9ba-cdde-effe01234é", "000ff0ff-109a-a9ba-cdde-effe012345678",
    ])
    func onlyTheLowercasedFormIsLowercasedText(text: String) {
        #expect(!UUID.isLowercasedText(text))
        for _ in 0..<500 {
            let id = UUID()
            #expect(UUID.isLowercasedText(id.lowercased))
            #expect(!UUID.isLowercasedText(id.uuidString))
        }
    }
}
