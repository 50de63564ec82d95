import ApexDomain
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Every text field a client can send refuses NUL, the other C0 controls, DEL and the C1 controls
/// (tab, line feed and carriage return only where text is multi-line: description, reasons):
/// a 422 `invalid_text` naming the field, and nothing written.
@Suite struct ControlCharacterTests {
    /// A text field: the request, its body with `§` where the text goes, the field the problem names.
    struct Field: Sendable, CustomTestStringConvertible {
        let method: HTTPRequest.Method
        let path: String
        let body: String
        let field: String
        let multiline: Bool
        init(_ method: HTTPRequest.Method, _ path: String, _ body: String, _ field: String, multiline: Bool = false) {
            self.method = method
            self.path = path
            self.body = body
            self.field = field
            self.multiline = multiline
        }
        var testDescription: String { "\(method) \(path) \(field)" }
    }

    /// Refused everywhere (JSON escapes): NUL, SOH, US, DEL, and CSI from the C1 block.
    static let controls = [#"\u0000"#, #"\u0001"#, #"\u001f"#, #"\u007f"#, #"\u009b"#]
    /// Refused only in single-line fields.
    static let lineBreaks = [#"\t"#, #"\n"#, #"\r"#]

    static let fields: [Field] = [
        Field(.post, "/v1/projects", #"{"name":"a§b"}"#, "name"),
        Field(.post, "/v1/projects", #"{"name":"ok","description":"a§b"}"#, "description", multiline: true),
        Field(.post, "/v1/projects", #"{"name":"ok","tags":["north","a§b"]}"#, "tags"),
        Field(.post, "/v1/projects", #"{"name":"ok","site":{"address":"a§b"}}"#, "site.address"),
        Field(.post, "/v1/projects", #"{"name":"ok","site":{"city":"a§b"}}"#, "site.city"),
        Field(.post, "/v1/projects", #"{"name":"ok","site":{"state":"a§b"}}"#, "site.state"),
        Field(.post, "/v1/projects", #"{"name":"ok","site":{"country":"a§b"}}"#, "site.country"),
        Field(.patch, "/v1/projects/$p", #"{"name":"a§b"}"#, "name"),
        Field(.patch, "/v1/projects/$p", #"{"description":"a§b"}"#, "description", multiline: true),
        Field(.patch, "/v1/projects/$p", #"{"tags":["a§b"]}"#, "tags"),
        Field(.patch, "/v1/projects/$p", #"{"site":{"city":"a§b"}}"#, "site.city"),
        Field(.post, "/v1/projects/$p/status", #"{"status":"estimating","reason":"a§b"}"#, "reason", multiline: true),
        Field(.delete, "/v1/projects/$p", #"{"reason":"a§b"}"#, "reason", multiline: true),
        Field(.post, "/v1/projects/$d/restore", #"{"reason":"a§b"}"#, "reason", multiline: true),
        Field(.post, "/v1/projects/$p/revert", #"{"to_version":1,"reason":"a§b"}"#, "reason", multiline: true),
        Field(.post, "/v1/projects/$p/calculations", #"{"type":"wind_velocity_pressure","inputs":{"V":115,"exposure":"C§","z":15}}"#, "inputs.exposure"),
        Field(.put, "/v1/projects/$p/calculations/$c", #"{"inputs":{"V":115,"exposure":"§C","z":15}}"#, "inputs.exposure"),
        Field(.post, "/v1/projects/$p/calculations/$c/approve", #"{"revision":1,"reason":"a§b"}"#, "reason", multiline: true),
        Field(.post, "/v1/invitations", #"{"email":"a§b@acme.example","role":"estimator"}"#, "email"),
        Field(.post, "/v1/invitations", #"{"email":"new@acme.example","role":"estimator","name":"a§b"}"#, "name"),
        Field(.patch, "/v1/users/$member", #"{"pe_license":{"number":"PE-§1","state":"TX","expires_on":"2099-12-31"}}"#, "pe_license.number"),
        Field(.patch, "/v1/users/$member", #"{"pe_license":{"number":"PE-1","state":"T§","expires_on":"2099-12-31"}}"#, "pe_license.state"),
        Field(.delete, "/v1/users/$member", #"{"reason":"a§b"}"#, "reason", multiline: true),
    ]

    @Test(arguments: fields)
    func refused(_ field: Field) async throws {
        try await World.with { world in
            try await world.test { client in
                let refused = Self.controls + (field.multiline ? [] : Self.lineBreaks)
                for control in refused {
                    let body = field.body.replacingOccurrences(of: "§", with: control)
                    let bad = BadInput(field.method, field.path, body, 422, "invalid_text", field.field)
                    try await bad.check(in: world, client)
                }
            }
        }
    }

    /// Accepting an invitation: the name and the licence number.
    @Test func refusedWhenAcceptingAnInvitation() async throws {
        try await World.with(withProjects: false) { world in
            try await world.test { client in
                let invited = try await client.call(.post, "/v1/invitations", as: world.token("owner"), json: ["email": "pat@acme.example", "role": "engineer"])
                let token = try #require(invited["token"]?.stringValue)
                for control in Self.controls + Self.lineBreaks {
                    let head = try await world.store.headPosition()
                    let name = try await client.call(.post, "/v1/invitations/accept", raw: #"{"token":"\#(token)","name":"Pat\#(control)"}"#)
                    expectProblem(name, 422, "invalid_text", field: "name")
                    let license = try await client.call(
                        .post, "/v1/invitations/accept",
                        raw: #"{"token":"\#(token)","name":"Pat","pe_license":{"number":"PE\#(control)7","state":"TX","expires_on":"2099-01-01"}}"#)
                    expectProblem(license, 422, "invalid_text", field: "pe_license.number")
                    #expect(try await world.store.headPosition() == head)
                }
                // The invitation is still good.
                #expect(try await client.call(.post, "/v1/invitations/accept", json: ["token": .string(token), "name": "Pat"]).code == 201)
            }
        }
    }

    /// Multi-line text keeps its tabs and line breaks, exactly as sent.
    @Test func multiLineTextKeepsTabsAndLineBreaks() async throws {
        try await World.with { world in
            let id = world.project("draft").lowercased
            try await world.test { client in
                let text = "line one\r\n\tline two\nend"
                let edited = try await client.call(.patch, "/v1/projects/\(id)", as: world.token("owner"), json: ["description": .string(text)])
                #expect(edited.code == 200, "\(edited.text)")
                #expect(edited["description"] == .string(text))
                let moved = try await client.call(
                    .post, "/v1/projects/\(id)/status", as: world.token("owner"), json: ["status": "estimating", "reason": "client asked:\n\tgo"])
                #expect(moved.code == 200, "\(moved.text)")
            }
        }
    }
}
