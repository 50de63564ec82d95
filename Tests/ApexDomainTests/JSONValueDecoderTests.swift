import ApexDomain
import Foundation
import Testing

/// `CanonicalJSON.decode` reads a `JSONValue` tree directly; it must agree with Foundation's
/// decoder over the same text, results and errors alike.
@Suite("Decoding from JSONValue")
struct JSONValueDecoderTests {
    struct Sample: Codable, Equatable {
        var name: String
        var count: Int
        var ratio: Double
        var flag: Bool
        var when: Date
        var id: UUID
        var tags: [String]
        var nested: [String: [Int]]
        var optional: String?
        var absent: Int?
        var any: JSONValue
    }

    static let text = """
        {"name":"Pole sign","count":3,"ratio":0.25,"flag":true,"when":"2026-11-27T21:25:04.123456Z",
         "id":"6F9619FF-8B86-D011-B42D-00C04FC964FF","tags":["a","b"],"nested":{"x":[1,2],"y":[]},"optional":null,
         "any":{"k":[1,"two",null,false]}}
        """

    @Test func agreesWithFoundationOnAValue() throws {
        let viaText = try DomainCoder.decoder.decode(Sample.self, from: Data(Self.text.utf8))
        let viaTree = try CanonicalJSON.decode(Sample.self, from: try JSONValue.parse(Self.text))
        #expect(viaTree == viaText)
        #expect(viaTree.count == 3 && viaTree.optional == nil && viaTree.absent == nil)
        #expect(viaTree.when == Timestamp.parse("2026-11-27T21:25:04.123456Z"))
    }

    @Test(arguments: [
        #"{"name":5}"#, #"{"count":1.5}"#, #"{"count":null}"#, #"{"when":"yesterday"}"#, #"{"tags":"a"}"#,
        #"{"nested":{"x":["1"]}}"#, #"{"id":"not-a-uuid"}"#,
    ])
    func failsWhereFoundationFailsAtTheSamePath(patch: String) throws {
        var members = try JSONValue.parse(Self.text).objectValue!
        for (k, v) in try JSONValue.parse(patch).objectValue! { members[k] = v }
        let value = JSONValue.object(members)
        let text = CanonicalJSON.string(value)
        func path(_ error: any Error) -> String? {
            guard let error = error as? DecodingError else { return nil }
            switch error {
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): return name(c.codingPath)
            case .keyNotFound(let k, let c): return name(c.codingPath + [k])
            @unknown default: return nil
            }
        }
        // Array indexes by number, as ProjectFields.field(of:) names them.
        func name(_ path: [any CodingKey]) -> String { path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }
        var foundation: (any Error)?
        do { _ = try DomainCoder.decoder.decode(Sample.self, from: Data(text.utf8)) } catch { foundation = error }
        var tree: (any Error)?
        do { _ = try CanonicalJSON.decode(Sample.self, from: value) } catch { tree = error }
        #expect(foundation != nil && tree != nil)
        if patch == #"{"count":1.5}"# {
            // Foundation reports a number that does not fit with an empty path; the tree
            // decoder names the member, which is what a problem response's `field` needs.
            #expect(path(tree!) == "count")
        } else {
            #expect(path(tree!) == path(foundation!))
        }
    }

    @Test func aMissingKeyIsKeyNotFound() throws {
        var members = try JSONValue.parse(Self.text).objectValue!
        members["ratio"] = nil
        #expect {
            _ = try CanonicalJSON.decode(Sample.self, from: .object(members))
        } throws: { error in
            guard case .keyNotFound(let key, _)? = error as? DecodingError else { return false }
            return key.stringValue == "ratio"
        }
    }
}
