import ApexDomain
import Foundation
import OpenAPIKit
import Testing
import Yams

/// The conformance check itself (``OpenAPIContract``, ``SchemaValidator``) catches drift: answers
/// that a real route gives, altered the ways a server drifts from its document, are refused.
@Suite struct OpenAPIContractTests {
    static let project: JSONValue = [
        "id": "0b5c2f4e-8d7a-4f0e-9a4b-2f1d3c6e7a80", "account_id": "9d1e1c8a-3f7b-4c55-9a0e-1b2c3d4e5f60", "name": "Pylon",
        "description": "", "client_id": nil, "tags": ["north"], "site": nil, "status": "draft", "version": 1,
        "created_at": "2026-01-27T10:00:00.000000Z", "created_by": "9d1e1c8a-3f7b-4c55-9a0e-1b2c3d4e5f60",
        "updated_at": "2026-01-27T10:00:00.000000Z", "updated_by": nil, "deleted": false,
    ]

    static let headers = ["X-Request-ID": "r-1", "ETag": "\"1\"", "Apex-State-Hash": String(repeating: "0a", count: 32)]

    func violations(
        _ id: String, _ status: Int, _ body: JSONValue, contentType: String = "application/json", headers: [String: String] = Self.headers
    ) throws -> [String] {
        try OpenAPIContract.shared.get().violations(of: id, status: status, contentType: contentType, body: Data(CanonicalJSON.bytes(body))) { headers[$0] }
    }

    func with(_ value: JSONValue, _ key: String, _ member: JSONValue?) -> JSONValue {
        var o = value.objectValue!
        o[key] = member
        return .object(o)
    }

    @Test func aValidAnswerPasses() throws {
        #expect(try violations("getProject", 200, Self.project) == [])
        #expect(try violations("getReadiness", 200, ["status": "ready", "virus_scanning": "off"]) == [])
    }

    @Test func aMissingRequiredMemberFails() throws {
        let found = try violations("getProject", 200, with(Self.project, "status", nil))
        #expect(found.contains { $0.contains("missing required member status") }, "\(found)")
    }

    @Test func aWrongTypeFails() throws {
        #expect(try violations("getProject", 200, with(Self.project, "version", "1")).contains { $0.contains("$.version: expected integer") })
        #expect(try violations("getProject", 200, with(Self.project, "version", 1.5)).contains { $0.contains("$.version: expected integer") })
        #expect(try violations("getProject", 200, with(Self.project, "deleted", .null)).contains { $0.contains("$.deleted: expected boolean") })
        #expect(try violations("getProject", 200, with(Self.project, "tags", "north")).contains { $0.contains("$.tags: expected array") })
    }

    @Test func anUndocumentedStatusOrContentTypeFails() throws {
        #expect(try violations("getProject", 418, Self.project).contains { $0.contains("418, which it does not document") })
        #expect(try violations("getHealth", 503, ["status": "ok"]).contains { $0.contains("does not document") })
        #expect(try violations("getProject", 200, Self.project, contentType: "text/plain").contains { $0.contains("answered text/plain") })
        let problem: JSONValue = ["type": "https://apex.dev/problems/not_found", "title": "Not Found", "status": 404, "code": "not_found", "detail": "no"]
        #expect(try violations("getProject", 404, problem, contentType: "application/problem+json") == [])
        #expect(try violations("getProject", 404, problem).contains { $0.contains("answered application/json") })
        #expect(try violations("getProject", 404, with(problem, "code", nil), contentType: "application/problem+json").contains { $0.contains("missing required member code") })
    }

    @Test func aMissingOrMalformedDocumentedHeaderFails() throws {
        var headers = Self.headers
        headers["ETag"] = nil
        #expect(try violations("getProject", 200, Self.project, headers: headers).contains { $0.contains("lacks its documented header ETag") })
        headers["ETag"] = "1"
        #expect(try violations("getProject", 200, Self.project, headers: headers).contains { $0.contains("header ETag: \"1\" does not match") })
    }

    @Test func valuesOutsideTheSchemaFail() throws {
        // An unknown member where additionalProperties is false (the head position L2 removed).
        #expect(try violations("getReadiness", 200, ["status": "ready", "head_position": 42]).contains { $0.contains("head_position is not in the schema") })
        #expect(try violations("getReadiness", 200, ["status": "up"]).contains { $0.contains("is not one of") })
        #expect(try violations("getProject", 200, with(Self.project, "status", "wizard")).contains { $0.contains("$.status") })
        #expect(try violations("getProject", 200, with(Self.project, "id", "0B5C2F4E-8D7A-4F0E-9A4B-2F1D3C6E7A80")).contains { $0.contains("is not a uuid") })
        #expect(try violations("getProject", 200, with(Self.project, "created_at", "27/01/2026")).contains { $0.contains("is not a date-time") })
        #expect(try violations("getProject", 200, with(Self.project, "name", "")).contains { $0.contains("$.name: shorter than 1") })
        #expect(try violations("getProject", 200, with(Self.project, "version", 0)).contains { $0.contains("$.version: 0.0 is below 1") })
        #expect(try violations("getProject", 200, with(Self.project, "site", ["city": "Austin", "planet": "Mars"])).contains { $0.contains("matches none of the oneOf") })
        #expect(try violations("getProject", 200, with(Self.project, "site", ["city": "Austin"])) == [])
        // A member the document does not describe, also where the schema leaves others open.
        #expect(try violations("getProject", 200, with(Self.project, "owner_email", "x@acme.example")).contains { $0.contains("member owner_email is not in the schema") })
        #expect(try violations("getHealth", 200, ["status": "ok", "uptime": 3]).contains { $0.contains("member uptime is not in the schema") })
    }

    @Test func referencesResolveAndAnUnresolvedOneFails() throws {
        let yaml = """
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths:
              /x:
                get:
                  operationId: getX
                  responses:
                    '200':
                      description: x
                      content:
                        application/json:
                          schema: {$ref: '#/components/schemas/Missing'}
            components:
              schemas: {}
            """
        let contract = try OpenAPIContract(yaml: yaml)
        #expect(contract.violations(of: "getX", status: 200, contentType: "application/json", body: Data("{}".utf8)).contains { $0.contains("unresolved reference") })
    }

    /// The document's own examples keep their schemas.
    @Test func everySchemaExampleValidates() throws {
        let contract = try OpenAPIContract.shared.get()
        var checked = 0
        for (name, schema) in contract.document.components.schemas {
            for example in schema.examples {
                checked += 1
                let found = contract.validator.errors(SchemaValidator.json(example.value), schema)
                #expect(found.isEmpty, "the example of \(name.rawValue): \(found)")
            }
        }
        #expect(checked >= 4, "the document's schema examples were not found")
    }

    /// OpenAPIKit reads a schema that has `allOf`/`oneOf`/`anyOf` as that combination alone and
    /// drops sibling `type`, `properties`, `required` and `additionalProperties`: the validator
    /// would not see them. The document keeps such keywords inside a branch instead.
    @Test func noSchemaMixesACombinationWithObjectKeywords() throws {
        let raw = try Yams.load(yaml: String(contentsOf: OpenAPIContract.fileURL, encoding: .utf8))
        var mixed: [String] = []
        func walk(_ node: Any?, _ path: String) {
            if let map = node as? [String: Any] {
                let combines = ["allOf", "oneOf", "anyOf"].contains { map[$0] != nil }
                let shapes = ["type", "properties", "required", "additionalProperties", "items"].filter { map[$0] != nil }
                if combines, !shapes.isEmpty { mixed.append("\(path) (\(shapes.joined(separator: ", ")))") }
                for (key, value) in map { walk(value, "\(path)/\(key)") }
            } else if let list = node as? [Any] {
                for (i, value) in list.enumerated() { walk(value, "\(path)/\(i)") }
            }
        }
        walk(raw, "#")
        #expect(mixed.isEmpty, "schemas OpenAPIKit would read without their object keywords: \(mixed.sorted())")
    }
}
