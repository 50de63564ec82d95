import ApexDomain
import Foundation
import OpenAPIKit
import Yams

/// The OpenAPI document (`Sources/ApexServer/Resources/openapi.yaml`) as a contract to hold
/// answers to: which statuses an operation documents, with which content types and schemas.
struct OpenAPIContract: @unchecked Sendable {
    static let relativePath = "Sources/ApexServer/Resources/openapi.yaml"

    /// The document in the repository, found from this file's place in it.
    static var fileURL: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // ApexServerTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // the package
            .appendingPathComponent(relativePath)
    }

    /// The repository's document, decoded once.
    static let shared: Result<OpenAPIContract, any Error> = Result {
        try OpenAPIContract(yaml: String(contentsOf: fileURL, encoding: .utf8))
    }

    /// One operation: `GET /v1/projects/{id}` and what it documents.
    struct Operation {
        let id: String
        let method: String
        let path: String
        let operation: OpenAPI.Operation
    }

    let document: OpenAPI.Document
    let validator: SchemaValidator
    /// Every operation, by operation id.
    let operations: [String: Operation]

    init(yaml: String) throws {
        document = try YAMLDecoder().decode(OpenAPI.Document.self, from: yaml)
        validator = SchemaValidator(components: document.components, closed: true)
        var operations: [String: Operation] = [:]
        for (path, item) in document.paths {
            for endpoint in try document.components.lookup(item).endpoints {
                let id = endpoint.operation.operationId ?? "\(endpoint.method.rawValue) \(path.rawValue)"
                operations[id] = Operation(id: id, method: endpoint.method.rawValue, path: "/" + path.components.joined(separator: "/"), operation: endpoint.operation)
            }
        }
        self.operations = operations
    }

    /// The statuses `id` documents.
    func statuses(_ id: String) -> Set<Int> {
        Set(operations[id]?.operation.responses.keys.compactMap { Int($0.rawValue) } ?? [])
    }

    /// What is wrong with an answer of `id`: an undocumented status, a documented header missing
    /// or out of its schema, another content type than the documented ones, a body the schema
    /// refuses. Empty when the answer keeps the contract.
    func violations(of id: String, status: Int, contentType: String?, body: Data, header: (String) -> String? = { _ in nil }) -> [String] {
        guard let operation = operations[id] else { return ["\(id) is not an operation of the document"] }
        guard let entry = operation.operation.responses[OpenAPI.Response.StatusCode(integerLiteral: status)],
            let response = try? document.components.lookup(entry)
        else { return ["\(id) answered \(status), which it does not document (it documents \(statuses(id).sorted()))"] }
        return headerViolations(id, status, response, header) + bodyViolations(id, status, response, contentType, body)
    }

    /// Every header the response documents is sent, and keeps its schema.
    private func headerViolations(_ id: String, _ status: Int, _ response: OpenAPI.Response, _ header: (String) -> String?) -> [String] {
        (response.headers ?? [:]).flatMap { name, entry -> [String] in
            guard let value = header(name) else { return ["\(id) \(status) lacks its documented header \(name)"] }
            guard let documented = try? document.components.lookup(entry), case .a(let context) = documented.schemaOrContent,
                case .b(let schema) = context.schema
            else { return [] }
            return validator.errors(.string(value), schema, at: name).map { "\(id) \(status) header \($0)" }
        }
    }

    private func bodyViolations(_ id: String, _ status: Int, _ response: OpenAPI.Response, _ contentType: String?, _ body: Data) -> [String] {
        let mediaType = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if response.content.isEmpty {
            return body.isEmpty ? [] : ["\(id) \(status) documents no body, got \(body.count) bytes of \(mediaType ?? "no content type")"]
        }
        let documented = response.content.keys.map(\.rawValue)
        guard let mediaType, let key = response.content.keys.first(where: { $0.rawValue == mediaType }),
            let content = try? document.components.lookup(response.content[key]!)
        else { return ["\(id) \(status) answered \(mediaType ?? "no content type"), documented: \(documented)"] }
        guard let schema = content.schema else { return [] }
        let value: JSONValue
        if mediaType.hasSuffix("json") {
            guard let parsed = try? JSONDecoder().decode(JSONValue.self, from: body) else {
                return ["\(id) \(status) body is not JSON: \(String(decoding: body.prefix(200), as: UTF8.self))"]
            }
            value = parsed
        } else {
            value = .string(String(decoding: body, as: UTF8.self))
        }
        return validator.errors(value, schema).map { "\(id) \(status) \(mediaType): \($0)" }
    }

    /// The example of the request body of `id`, when its schema has one.
    func requestExample(of id: String) -> JSONValue? {
        guard let entry = operations[id]?.operation.requestBody, let request = try? document.components.lookup(entry),
            let content = request.content.values.first.flatMap({ try? document.components.lookup($0) }), var schema = content.schema
        else { return nil }
        if case .reference(let reference, _) = schema.value, let name = reference.name,
            let target = document.components.schemas[OpenAPI.ComponentKey(stringLiteral: name)]
        {
            schema = target
        }
        return schema.examples.first.map { SchemaValidator.json($0.value) }
    }

    /// What the request body schema of `id` refuses in `body` (sent as `mediaType`).
    func requestViolations(of id: String, body: JSONValue, mediaType: String = "application/json") -> [String] {
        guard let entry = operations[id]?.operation.requestBody else { return ["\(id) documents no request body"] }
        guard let request = try? document.components.lookup(entry), let key = request.content.keys.first(where: { $0.rawValue == mediaType }),
            let content = try? document.components.lookup(request.content[key]!), let schema = content.schema
        else { return ["\(id) documents no \(mediaType) request body"] }
        return SchemaValidator(components: document.components).errors(body, schema).map { "\(id) request \(mediaType): \($0)" }
    }
}
