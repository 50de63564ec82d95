import ApexChildProcess
import ApexDomain
import ApexTestSupport
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Foundation
import Testing

/// `apex-cli serve` with its metrics listener and rate limits set from the environment: the
/// listener serves `/metrics` (and the API does not), the limits are on when asked for, and a
/// setting that cannot be used stops the server at start with a message naming it.
@Suite("apex-cli serve: APEX_METRICS_PORT and APEX_RATE_LIMITS")
struct ServeMetricsAndLimitsTests {
    @Test func theMetricsListenerServesAndTheLimitsAreOn() async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        let metricsPort = try FreePort.find()
        var environment = s.environment
        environment["APEX_JWT_SECRET"] = "serve-metrics-tests-jwt-secret-0123456789abcdef"
        environment["APEX_METRICS_PORT"] = String(metricsPort)
        environment["APEX_RATE_LIMITS"] = "unauthorized=2/1h"
        try await ServeProcess.with(["serve"], environment: environment, token: "forged") { server in
            #expect(try await server.call(.GET, "/metrics").status == 404)
            let denied = try await server.call(.GET, "/v1/me")
            #expect(denied.status == 401)
            #expect(denied.headers.first(name: "RateLimit-Policy") == "\"address\";q=1200;w=60")
            #expect(try await server.call(.GET, "/v1/me").status == 401)
            let refused = try await server.call(.GET, "/v1/me")
            #expect(refused.status == 429, "\(refused.text)")
            #expect(refused.json["code"]?.stringValue == "rate_limited")

            let scrape = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(metricsPort)/metrics"), timeout: .seconds(30))
            #expect(scrape.status.code == 200)
            let text = String(buffer: try await scrape.body.collect(upTo: 1 << 20))
            #expect(text.contains("apex_http_requests_total{method=\"GET\",route=\"/v1/me\",status=\"401\"} 2"), "\(text)")
            #expect(text.contains("apex_rate_limited_total{policy=\"unauthorized\"} 1"), "\(text)")
        }
    }

    @Test(arguments: [
        ("APEX_RATE_LIMITS", "address=lots", "APEX_RATE_LIMITS"), ("APEX_RATE_LIMITS", "burst=5/1s", "unknown limit burst"),
        ("APEX_METRICS_PORT", "99999", "APEX_METRICS_PORT"),
    ])
    func aSettingThatCannotBeUsedStopsTheServer(_ name: String, _ value: String, _ message: String) async throws {
        let s = try await Scenario.make()
        defer { s.remove() }
        var environment = s.environment
        environment[name] = value
        let run = try await CLI.run(["serve", "--port", String(try FreePort.find())], environment: environment)
        #expect(run.status != 0)
        #expect(run.stderr.contains(message), "\(run)")
    }
}
