import ApexDomain
import ApexStore
import Foundation
import Testing

/// Every adapter stores each text exactly as it was hashed: a NUL or any other control
/// character, an escape that looks like a lone surrogate, bidi overrides and 4-byte UTF-8 come
/// back unchanged from every column that can carry a client's text, and `verify` stays intact.
@Suite("Conformance: text is stored exactly as hashed")
struct ConformanceExactTextTests {
    /// Texts a client could send (the HTTP layer may refuse some; the store must never alter them).
    static let hostile: [String] = [
        "\u{0}x",
        "x\u{0}",
        "\u{0}",
        "before\u{0}after\u{0}\u{0}end",
        String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init) + [Unicode.Scalar(0x7F)])),
        #"\ud800 \udfff \u0000 \\u0000"#,
        "\u{FFFD}",
        "\u{202E}fdp.exe\u{202C} \u{2066}\u{2067}\u{2068}\u{2069}\u{200E}\u{200F}\u{061C}",
        "𝄞 😀 🏗️ \u{10FFFF}",
        "tab\tnew\nline\r\u{85}\u{2028}\u{2029}",
    ]

    static func event(_ text: String) -> ProposedEvent {
        var event = ProposedEvent(
            id: UUID(), type: "test.exact_text", data: ["text": .string(text), "nested": ["list": [.string(text)], text: .string("key")]],
            accountID: Events.account, actor: .service(text),
            requestMetadata: RequestMetadata(ipAddress: text, userAgent: text, xForwardedFor: text, peerAddress: text, requestID: text, traceID: text))
        event.reason = text
        return event
    }

    @Test(arguments: StoreKind.allCases)
    func everyTextComesBackAsHashedAndVerifies(kind: StoreKind) async throws {
        try await Fixtures.withStore(kind) { f in
            let stream = StreamID.project(UUID())
            let proposed = Self.hostile.map(Self.event)
            let appended = try await f.store.append(proposed, to: stream, expected: .noStream)
            // One event per append as well: the reason is then the batch's only event.
            let single = try await f.store.append([Self.event("\u{0}x")], to: .account(Events.account), expected: .noStream)

            let read = try await f.store.readStream(stream)
            #expect(read == appended.events)
            #expect(try await f.store.readStream(.account(Events.account)) == single.events)
            for (event, text) in zip(read, Self.hostile) {
                let shown = text.debugDescription
                #expect(event.reason == text, "reason \(shown)")
                #expect(event.data["text"] == .string(text), "data \(shown)")
                #expect(event.data["nested"]?[text] == .string("key"), "data key \(shown)")
                #expect(event.actor.service == text, "actor \(shown)")
                #expect(event.requestMetadata.userAgent?.plaintext == text, "user agent \(shown)")
                #expect(event.requestMetadata.ipAddress?.plaintext == text, "ip address \(shown)")
                #expect(event.requestMetadata.requestID == text, "request id \(shown)")
                #expect(event.requestMetadata.traceID == text, "trace id \(shown)")
            }
            // The stored form (personal values sealed) is what was hashed.
            let stored = try await f.store.readAll(after: 0, limit: 100, mode: .stored)
            #expect(stored.map(\.reason) == Self.hostile + ["\u{0}x"])
            for event in stored { #expect(EventHash.compute(event, prevHash: event.prevHash) == event.hash, "position \(event.position)") }
            let byAccount = try await f.store.readAccount(Events.account, after: 0, limit: 100, mode: .opened)
            #expect(byAccount == read + single.events)

            let report = try await f.store.verify()
            #expect(report.ok, "\(String(describing: report.firstFailure))")
            #expect(report.eventsChecked == Int64(Self.hostile.count + 1))
        }
    }
}
