import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `/healthz`, `/readyz` and `/openapi.yaml`: no authentication, so they say nothing about the
/// store beyond whether it answers.
struct HealthRoutes {
    let api: ApexAPI

    func register(on router: Router<ApexRequestContext>) {
        router.get("healthz") { _, _ in Response.json(["status": "ok"]) }
        router.get("readyz") { _, _ in
            do {
                _ = try await api.store.headPosition()
                return Response.json(["status": "ready", "virus_scanning": .string(api.clamd == nil ? "off" : "on")])
            } catch {
                throw APIError(.serviceUnavailable, code: "store_unavailable", "the event store does not answer")
            }
        }
        router.get("openapi.yaml") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let data = try? Data(contentsOf: url) else {
                throw APIError(.internalServerError, code: "internal_error", "the OpenAPI document is missing from this build")
            }
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
