import ApexDomain
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ApexServer

/// Problem details in the request's language: `title` and `detail` in Spanish for
/// `Accept-Language: es` (or a signed-in user who prefers Spanish), the `code` unchanged, with
/// `Content-Language` and `Vary: Accept-Language`; and a Spanish entry for every code the
/// server's source can produce.
@Suite struct ProblemLanguageTests {
    static func spanish(_ value: String = "es-MX,es;q=0.9,en;q=0.5") -> HTTPFields {
        var headers = HTTPFields()
        headers[.acceptLanguage] = value
        return headers
    }

    @Test(arguments: StoreKind.allCases)
    func acceptLanguagePicksSpanishAndTheCodeStays(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            try await world.test { client in
                let english = try await client.call(.get, "/v1/projects/\(UUID().lowercased)", as: world.token("owner"))
                #expect(english.code == 404 && english["code"]?.stringValue == "not_found")
                #expect(english["title"]?.stringValue == "Not Found" && english.headers[.contentLanguage] == "en")
                let unauthenticated = try await client.call(.get, "/v1/projects", headers: Self.spanish())
                #expect(unauthenticated.code == 401 && unauthenticated["code"]?.stringValue == "unauthorized")
                #expect(unauthenticated["title"]?.stringValue == "No autenticado", "\(unauthenticated.text)")
                #expect(unauthenticated["detail"]?.stringValue == "Se necesita un token de portador válido.")
                #expect(unauthenticated.headers[.contentLanguage] == "es")
                #expect(unauthenticated.headers[values: .vary].contains { $0.lowercased().contains("accept-language") })
                #expect(unauthenticated.headers[.wwwAuthenticate] != nil, "headers of the problem are kept")
                // A detail naming a field keeps it.
                let bad = try await client.call(.post, "/v1/projects", as: world.token("estimator"), json: ["name": ""], headers: Self.spanish())
                #expect(bad.code == 422 || bad.code == 400, "\(bad.text)")
                #expect(bad["code"]?.stringValue != nil && bad.headers[.contentLanguage] == "es")
                let field = try #require(bad["field"]?.stringValue, "\(bad.text)")
                #expect(bad["detail"]?.stringValue?.hasSuffix("Campo: \(field).") == true, "\(bad.text)")
            }
        }
    }

    /// The `locale` preference is for email: a signed-in user's problems follow the request's
    /// `Accept-Language`, whichever language they chose for mail.
    @Test(arguments: StoreKind.allCases)
    func problemsFollowTheHeaderNotTheMailPreference(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            try await world.test { client in
                let set = try await client.call(.patch, "/v1/me/preferences", as: world.token("client"), json: ["locale": "es"])
                #expect(set.code == 200, "\(set.text)")
                let english = try await client.call(
                    .get, "/v1/projects/\(UUID().lowercased)", as: world.token("client"), headers: Self.spanish("en"))
                #expect(english.code == 404 && english["code"]?.stringValue == "not_found")
                #expect(english["title"]?.stringValue == "Not Found" && english.headers[.contentLanguage] == "en", "\(english.text)")
                let spanish = try await client.call(.get, "/v1/projects/\(UUID().lowercased)", as: world.token("owner"), headers: Self.spanish("es"))
                #expect(spanish["title"]?.stringValue == "No encontrado" && spanish.headers[.contentLanguage] == "es", "\(spanish.text)")
            }
        }
    }

    /// The package's root, from this file's place in it.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every problem code in the source: `code: "…"` literals of the server, and the raw values
    /// of the error types it maps to problems.
    static func codesInSource() throws -> Set<String> {
        var codes: Set<String> = []
        let literal = try Regex(#"code: "([a-z][a-z0-9_]*)""#)
        let raw = try Regex(#"(?:case|,)\s+[a-zA-Z]+ = "([a-z][a-z0-9_]*)""#)
        let server = root.appendingPathComponent("Sources/ApexServer")
        let files = FileManager.default.enumerator(at: server, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        for file in files {
            for match in try String(contentsOf: file, encoding: .utf8).matches(of: literal) { codes.insert(String(match.output[1].substring!)) }
        }
        for path in [
            "Sources/ApexDomain/DomainError.swift", "Sources/ApexDomain/Access/Denial.swift", "Sources/ApexFiles/FilesError.swift",
            "Sources/ApexSearch/Query/SearchError.swift", "Sources/ApexWebhooks/WebhooksError.swift", "Sources/ApexLive/Feed/LiveError.swift",
        ] {
            let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            for match in text.matches(of: raw) { codes.insert(String(match.output[1].substring!)) }
        }
        return codes
    }

    @Test func everyCodeHasASpanishTitleAndDetail() throws {
        let codes = try Self.codesInSource()
        #expect(codes.count > 60, "the scan found the codes: \(codes.sorted())")
        for code in ["unauthorized", "not_found", "invalid_input", "role_forbids", "file_too_large", "url_refused", "rate_limited"] {
            #expect(codes.contains(code), "the scan misses \(code)")
        }
        let missing = codes.filter { ProblemCatalog.es[$0] == nil }.sorted()
        #expect(missing.isEmpty, "codes without a Spanish title and detail in ProblemCatalog.es: \(missing)")
        for (code, entry) in ProblemCatalog.es {
            #expect(!entry.title.isEmpty && !entry.detail.isEmpty, "\(code)")
        }
    }
}
