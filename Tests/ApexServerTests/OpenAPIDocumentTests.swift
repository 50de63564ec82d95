import ApexChildProcess
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `Sources/ApexServer/Resources/openapi.yaml`: served as it is in the repository, a valid
/// OpenAPI 3.1 document (checked by `openapi-spec-validator`), and describing exactly the routes
/// the router registers.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    @Test("GET /openapi.yaml serves the document kept in the repository")
    func servedDocumentIsTheRepositoryFile() async throws {
        let expected = try Data(contentsOf: OpenAPIDocument.fileURL)
        let app = Application(router: try await OpenAPIDocument.api().router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml")
                let served = Data(response.body.readableBytesView)
                #expect(served == expected, "GET /openapi.yaml (\(served.count) bytes) differs from \(OpenAPIDocument.relativePath) (\(expected.count) bytes)")
            }
        }
    }

    @Test("the document is a valid OpenAPI 3.1 document")
    func documentIsValidOpenAPI31() async throws {
        let run = try await OpenAPIDocument.python(OpenAPIDocument.validateScript)
        try OpenAPIDocument.requireValidatorModule(run)
        #expect(run.status == 0 && run.text.contains("VALID: OpenAPI 3.1"), "openapi-spec-validator rejects \(OpenAPIDocument.relativePath):\n\(run.text)")
    }

    @Test("every registered route is documented, and every documented operation is registered")
    func documentMatchesTheRouter() async throws {
        // The HTML pages under /ui are documented in docs/ui.md (WebPageTests checks it), not here.
        let registered = Set(try await OpenAPIDocument.api().router().routes.map { route in
            "\(route.method.rawValue.uppercased()) \(OpenAPIDocument.openAPIPath(route.path.description))"
        }.filter { !$0.contains(" /ui") })
        let documented = try await OpenAPIDocument.documentedOperations()
        #expect(!registered.isEmpty, "the router lists no routes")
        let undocumented = registered.subtracting(documented.operations).sorted()
        let unregistered = documented.operations.subtracting(registered).sorted()
        #expect(undocumented.isEmpty, "routes the router registers but \(OpenAPIDocument.relativePath) lacks: \(undocumented)")
        #expect(unregistered.isEmpty, "operations \(OpenAPIDocument.relativePath) documents but the router does not register: \(unregistered)")
        #expect(documented.withoutPermission.isEmpty, "operations without x-permission: \(documented.withoutPermission.sorted())")
    }

    @Test("Hummingbird path parameters map to OpenAPI templates")
    func pathConversion() {
        #expect(OpenAPIDocument.openAPIPath("/v1/projects/:id/calculations/:cid") == "/v1/projects/{id}/calculations/{cid}")
        #expect(OpenAPIDocument.openAPIPath("/v1/projects/{id}/versions/{n}") == "/v1/projects/{id}/versions/{n}")
        #expect(OpenAPIDocument.openAPIPath("/healthz") == "/healthz")
    }
}

/// Helpers of the OpenAPI tests: the repository file, an API to route through, and python3 with
/// `openapi_spec_validator`.
private enum OpenAPIDocument {
    static let relativePath = "Sources/ApexServer/Resources/openapi.yaml"
    static let installHint = "pip install openapi-spec-validator"

    /// The document in the repository, found from this file's place in it.
    static var fileURL: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // ApexServerTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // the package
            .appendingPathComponent(relativePath)
    }

    /// An API over an empty in-memory store.
    static func api() async throws -> ApexAPI {
        var configuration = ServerConfiguration()
        configuration.jwtSecret = "openapi-document-tests-secret-0123456789abcdef"
        return try await ApexAPI(store: InMemoryEventStore(projections: [ProjectListProjection()]), configuration: configuration)
    }

    /// `/v1/projects/:id` as OpenAPI writes it, `/v1/projects/{id}`.
    static func openAPIPath(_ routerPath: String) -> String {
        routerPath.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
    }

    /// Python prelude: import the validator or exit 3 naming the missing module.
    static let prelude = """
        import json, sys
        try:
            from openapi_spec_validator import OpenAPIV31SpecValidator, validate
            from openapi_spec_validator.readers import read_from_filename
        except ImportError as error:
            print("MISSING-MODULE: %s" % error)
            sys.exit(3)
        spec, base_uri = read_from_filename(sys.argv[1])

        """

    /// Validates the document as OpenAPI 3.1; prints `VALID: OpenAPI 3.1` or the first error.
    static let validateScript = prelude + """
        version = str(spec.get("openapi", ""))
        if not version.startswith("3.1."):
            print("INVALID: the document says openapi %r, not 3.1.x" % version)
            sys.exit(1)
        try:
            validate(spec, base_uri=base_uri, cls=OpenAPIV31SpecValidator)
        except Exception as error:
            text = str(error)
            print("INVALID: %s: %s" % (type(error).__name__, text[:800] + ("…" if len(text) > 800 else "")))
            sys.exit(1)
        print("VALID: OpenAPI 3.1")
        """

    /// Prints the document's operations (`GET /path`) and those without `x-permission`, as JSON.
    static let operationsScript = prelude + """
        methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        operations, without_permission = [], []
        for path, item in (spec.get("paths") or {}).items():
            for method in methods:
                if method in item:
                    operations.append("%s %s" % (method.upper(), path))
                    if "x-permission" not in item[method]:
                        without_permission.append("%s %s" % (method.upper(), path))
        print(json.dumps({"operations": operations, "without_permission": without_permission}))
        """

    struct Run {
        var status: Int32
        /// Standard output.
        var output: String
        /// Standard error.
        var errors: String
        /// Both, for messages.
        var text: String { output + errors }
    }

    /// Runs `script` with python3 on the repository document; stdout and stderr together.
    static func python(_ script: String) async throws -> Run {
        let outcome: ChildProcess.Outcome
        do { outcome = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", script, fileURL.path]) } catch {
            throw Failure(description: "could not run python3 (\(error)); install Python 3, then \(installHint)")
        }
        return Run(status: outcome.status, output: outcome.output, errors: outcome.errors)
    }

    /// Why a test could not even check the document.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Fails (never skips) when python3 or its `openapi_spec_validator` module is missing.
    static func requireValidatorModule(_ run: Run) throws {
        let missing = (run.status == 3 && run.text.contains("MISSING-MODULE")) || run.status == 127
        guard missing else { return }
        throw Failure(description: "python3 cannot import openapi_spec_validator; run: \(installHint)\n\(run.text)")
    }

    /// The operations the document declares, as `METHOD /path`.
    static func documentedOperations() async throws -> (operations: Set<String>, withoutPermission: Set<String>) {
        let run = try await python(operationsScript)
        try requireValidatorModule(run)
        guard run.status == 0, let line = run.output.split(separator: "\n").last, let data = String(line).data(using: .utf8),
            let object = try JSONSerialization.jsonObject(with: data) as? [String: [String]],
            let operations = object["operations"], let without = object["without_permission"]
        else {
            throw Failure(description: "could not read the operations of \(relativePath):\n\(run.text)")
        }
        return (Set(operations), Set(without))
    }
}
