import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The pages ask the same policy as the API, on SQLite and PostgreSQL: a client sees only their
/// projects, another client's project and another account's are the same 404 page (audited);
/// the audit page is for owners and admins; history, compare and the assets; the language.
@Suite struct WebPageTests {
    typealias S = WebSessionTests

    @Test(arguments: StoreKind.allCases)
    func aClientSeesOnlyTheirProjectsAndEverythingElseIsTheSame404(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let other = try await world.otherAccount()
            try await world.test { client in
                let cookie = try await S.signIn(world, client, as: "client")
                let list = try await client.call(.get, "/ui/projects", headers: S.session(cookie))
                #expect(list.code == 200 && list.text.contains("Pylon own") && !list.text.contains("Pylon draft"), "\(list.text)")
                let own = try await client.call(.get, "/ui/projects/\(world.project("own").lowercased)", headers: S.session(cookie))
                #expect(own.code == 200 && own.text.contains("Pylon own"))
                let version = try await world.accountVersion()
                let hidden = try await client.call(.get, "/ui/projects/\(world.project("draft").lowercased)/history", headers: S.session(cookie))
                let foreign = try await client.call(.get, "/ui/projects/\(other.project.lowercased)", headers: S.session(cookie))
                let missing = try await client.call(.get, "/ui/projects/\(UUID().uuidString.lowercased())/compare", headers: S.session(cookie))
                for reply in [hidden, foreign, missing] {
                    #expect(reply.code == 404 && reply.contentType?.hasPrefix("text/html") == true && reply.text.contains("not_found"))
                    #expect(!reply.text.contains("Pylon draft"))
                    S.expectSecured(reply)
                }
                await world.api.flushDenials()
                #expect(try await world.denials(after: version).count >= 1)
                // The audit page is for owners and admins.
                let audit = try await client.call(.get, "/ui/audit", headers: S.session(cookie))
                #expect(audit.code == 403 || audit.code == 404)
                S.expectSecured(audit)
                // Unknown pages are the 404 page too; no session is a sign-in page (401).
                #expect(try await client.call(.get, "/ui/nothing/here", headers: S.session(cookie)).code == 404)
                let anonymous = try await client.call(.get, "/ui/projects")
                #expect(anonymous.code == 401 && anonymous.text.contains("<html"))
                S.expectSecured(anonymous)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func historyCompareAuditAndAssetsRender(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            let id = world.project("draft")
            try await world.test { client in
                let edited = try await client.call(.patch, "/v1/projects/\(id.lowercased)", as: world.token("owner"), json: ["description": "<b>bold</b>"])
                #expect(edited.code == 200, "\(edited.text)")
                let cookie = try await S.signIn(world, client, as: "owner")
                let history = try await client.call(.get, "/ui/projects/\(id.lowercased)/history", headers: S.session(cookie))
                #expect(history.code == 200 && history.text.contains("project.updated") && history.text.contains("project.created"))
                // Values are escaped, never markup.
                #expect(history.text.contains("&lt;b&gt;bold&lt;/b&gt;") && !history.text.contains("<b>bold"))
                #expect(!history.text.contains("<script>") && history.text.contains("src=\"/ui/assets/app.js\""))
                let version = try await world.projectVersion(id)
                let compare = try await client.call(.get, "/ui/projects/\(id.lowercased)/compare?from=1&to=\(version)", headers: S.session(cookie))
                #expect(compare.code == 200 && compare.text.contains("class=\"changed\"") && compare.text.contains("id=\"revert-form\""))
                #expect(try await client.call(.get, "/ui/projects/\(id.lowercased)/compare?from=\(version + 1)", headers: S.session(cookie)).code == 404)
                let audit = try await client.call(.get, "/ui/audit", headers: S.session(cookie))
                #expect(audit.code == 200 && audit.text.contains("project.updated"))
                let verified = try await client.call(
                    .post, "/ui/audit/verify", raw: "csrf_token=\(try S.csrf(audit))", headers: S.session(cookie, S.form))
                #expect(verified.code == 200 && verified.text.contains("id=\"verify-result\" class=\"ok\""), "\(verified.text)")
                let script = try await client.call(.get, "/ui/assets/app.js")
                #expect(script.code == 200 && script.contentType?.hasPrefix("text/javascript") == true && script.text.contains("EventSource"))
                S.expectSecured(script)
                // Spanish by Accept-Language when the user set no preference.
                let spanish = try await client.call(.get, "/ui/projects", headers: S.session(cookie, [.acceptLanguage: "es-MX,es;q=0.9"]))
                #expect(spanish.text.contains("Proyectos") && spanish.text.contains("lang=\"es\""))
            }
        }
    }
}

/// docs/ui.md documents every route under /ui, as the OpenAPI document does every /v1 route.
@Suite struct WebPageDocsTests {
    @Test func everyUIRouteIsInTheDocs() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let docs = try String(contentsOf: root.appendingPathComponent("docs/ui.md"), encoding: .utf8)
        try await World.with(.sqlite, withProjects: false) { world in
            let routes = world.api.router().routes.map { "\($0.method.rawValue.uppercased()) \($0.path.description)" }
                .filter { $0.contains(" /ui") && !$0.hasSuffix("**") && $0 != "GET /ui" && !$0.hasPrefix("HEAD") }
            #expect(routes.count >= 12)
            for route in routes {
                let documented = route.replacingOccurrences(of: ":id", with: "{id}").replacingOccurrences(of: ":name", with: "{name}")
                #expect(docs.contains("`\(documented)"), "docs/ui.md does not document \(route)")
            }
        }
    }
}
