import ApexMetrics
import HTTPTypes
public import Hummingbird
public import HummingbirdCore
public import Logging
public import NIOCore

extension ApexAPI {
    /// The separate listener for Prometheus (`APEX_METRICS_HOST:APEX_METRICS_PORT`): `GET /metrics`
    /// answers ``metrics``'s scrape in the text format; nothing else is served there, and the
    /// public API never serves `/metrics`. `onReady` is called with its channel once it listens.
    public func metricsApplication(
        address: BindAddress, logger: Logger, onReady: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        let metrics = self.metrics
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: ApexMetrics.contentType, .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: await metrics.scrape())))
        }
        return Application(
            router: router, configuration: ApplicationConfiguration(address: address, serverName: "apex-metrics"),
            onServerRunning: onReady, logger: logger)
    }
}
