import ApexDomain
import ApexMetrics
import ApexServer
import ApexStore
import Foundation
import HTTPTypes
import Testing

/// `/metrics` through real sockets: served only on its own listener, in the Prometheus text
/// format that `promtool check metrics` accepts, with requests by route template (never an id)
/// and status, appends and their latency, the store's head and consumer lag, and verify results,
/// each changing as the server works.
@Suite struct MetricsTests {
    @Test(arguments: StoreKind.allCases)
    func requestsAppendsAndVerifyAreCountedAndServedOnTheirOwnListener(_ kind: StoreKind) async throws {
        try await World.with(kind) { world in
            try await world.serveWithMetrics { apiPort, metricsPort in
                let owner = ["Authorization": "Bearer \(world.token("owner"))"]
                let project = world.project("draft")
                let route = "method=\"GET\",route=\"/v1/projects/{id}\""
                let before = MetricSamples(try await SocketReply.send("GET", "/metrics", port: metricsPort).body)

                // The public API has no /metrics; the metrics listener has nothing else.
                #expect(try await SocketReply.send("GET", "/metrics", port: apiPort).status == 404)
                #expect(try await SocketReply.send("GET", "/v1/projects/\(project.lowercased)", port: metricsPort).status == 404)

                #expect(try await SocketReply.send("GET", "/v1/projects/\(project.lowercased)", port: apiPort, headers: owner).status == 200)
                #expect(try await SocketReply.send("GET", "/v1/projects/\(project.lowercased)", port: apiPort, headers: owner).status == 200)
                #expect(try await SocketReply.send("GET", "/v1/projects/\(UUID().uuidString.lowercased())", port: apiPort, headers: owner).status == 404)
                #expect(try await SocketReply.send("GET", "/v1/projects/\(project.lowercased)", port: apiPort).status == 401)
                #expect(try await SocketReply.send("GET", "/no/such/\(UUID().uuidString)", port: apiPort).status == 404)
                // A method outside the standard ones is one more `other`, not a series of its own.
                #expect(try await SocketReply.send("PROPFIND", "/healthz", port: apiPort).status >= 400)
                let created = try await SocketReply.send(
                    "POST", "/v1/projects", port: apiPort, headers: owner.merging(["Content-Type": "application/json", "Content-Length": "0"]) { a, _ in a })
                #expect(created.status == 400 || created.status == 422, "an empty body is refused: \(created.head)")
                #expect(try await SocketReply.send("GET", "/v1/audit/verify", port: apiPort, headers: owner).status == 200)

                let reply = try await SocketReply.send("GET", "/metrics", port: metricsPort)
                #expect(reply.status == 200)
                #expect(reply.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
                let after = MetricSamples(reply.body)
                #expect(after.count("apex_http_requests_total{\(route),status=\"200\"}") - before.count("apex_http_requests_total{\(route),status=\"200\"}") == 2)
                #expect(after.count("apex_http_requests_total{\(route),status=\"404\"}") - before.count("apex_http_requests_total{\(route),status=\"404\"}") == 1)
                #expect(after.count("apex_http_requests_total{\(route),status=\"401\"}") == 1)
                #expect(after.count("apex_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}") >= 2)
                #expect(!after.text.contains("PROPFIND"))
                #expect(after.values.keys.contains { $0.hasPrefix("apex_http_requests_total{method=\"other\",") })
                #expect(after.count("apex_http_request_duration_seconds_count{\(route),status=\"200\"}") == after.count("apex_http_requests_total{\(route),status=\"200\"}"))
                #expect(after["apex_http_request_duration_seconds_bucket{\(route),status=\"200\",le=\"+Inf\"}"] != nil)
                // Route templates only: no id of any kind becomes a label.
                #expect(!after.text.contains(project.lowercased))
                #expect(after.text.range(of: "[0-9a-f]{8}-[0-9a-f]{4}-", options: .regularExpression) == nil)

                #expect(after.count("apex_verify_runs_total{outcome=\"ok\"}") == 1)
                #expect(after.count("apex_verify_runs_total{outcome=\"failed\"}") == 0)
                #expect(after["apex_store_head_position"] == Double(try await world.store.headPosition()))
                let findings = try await Promtool.check(reply.body)
                #expect(findings == "", "\(findings)")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func appendsAreTimedByOutcome(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            // Through the API: the server's appends go through its measured store.
            let before = MetricSamples(await world.api.metrics.scrape())
            try await world.test { client in
                let created = try await client.call(.post, "/v1/projects", as: world.token("owner"), json: ["name": "Counted pylon"])
                #expect(created.code == 201, "\(created.text)")
            }
            let after = MetricSamples(await world.api.metrics.scrape())
            #expect(after.count("apex_store_appends_total{outcome=\"ok\"}") - before.count("apex_store_appends_total{outcome=\"ok\"}") >= 1)
            #expect(after.count("apex_store_appended_events_total") - before.count("apex_store_appended_events_total") >= 1)
            #expect(after.count("apex_store_append_duration_seconds_count") >= after.count("apex_store_appends_total{outcome=\"ok\"}"))
            #expect(after.count("apex_store_append_duration_seconds_sum") > 0)

            // A version conflict is told apart from success.
            let metrics = ApexMetrics()
            let store = MeasuredStore(world.store, metrics: metrics)
            let stream = StreamID(rawValue: "test-\(UUID().uuidString.lowercased())"), account = UUID()
            func note() -> [ProposedEvent] {
                [ProposedEvent(id: UUID(), type: "test.note", data: ["n": .number(1)], accountID: account, actor: .service("test"))]
            }
            _ = try await store.append(note() + note(), to: stream, expected: .noStream)
            await #expect(throws: EventStoreError.self) { _ = try await store.append(note(), to: stream, expected: .noStream) }
            let samples = MetricSamples(await metrics.scrape())
            #expect(samples["apex_store_appends_total{outcome=\"ok\"}"] == 1)
            #expect(samples["apex_store_appends_total{outcome=\"conflict\"}"] == 1)
            #expect(samples["apex_store_appends_total{outcome=\"error\"}"] == 0)
            #expect(samples["apex_store_appended_events_total"] == 2)
            #expect(samples["apex_store_append_duration_seconds_count"] == 2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func consumerLagIsTheHeadMinusTheSavedPosition(_ kind: StoreKind) async throws {
        try await World.with(kind, withProjects: false) { world in
            let metrics = ApexMetrics()
            metrics.registerStoreGauges(store: world.store, consumers: ["metrics-test", "never-ran"])
            let head = try await world.store.headPosition()
            #expect(head > 3)
            #expect(try await world.store.advanceConsumer("metrics-test", to: head - 3, from: 0))
            let samples = MetricSamples(await metrics.scrape())
            #expect(samples["apex_consumer_lag_events{consumer=\"metrics-test\"}"] == 3)
            #expect(samples["apex_consumer_lag_events{consumer=\"never-ran\"}"] == Double(head))
            #expect(samples["apex_store_head_position"] == Double(head))
            #expect(try await world.store.advanceConsumer("metrics-test", to: head, from: head - 3))
            #expect(MetricSamples(await metrics.scrape())["apex_consumer_lag_events{consumer=\"metrics-test\"}"] == 0)
        }
    }

    @Test func aFeatureRegistersAGaugeReadAtEachScrape() async throws {
        let metrics = ApexMetrics()
        let depth = Depth()
        metrics.registerGauge(name: "apex_test_queue_depth", help: "Items waiting in the test queue.") {
            [GaugeSample(labels: [("queue", "a")], value: Double(await depth.next()))]
        }
        metrics.registerGauge(name: "apex_test_broken", help: "A gauge whose read fails.") { throw RawSocketError("down") }
        #expect(MetricSamples(await metrics.scrape())["apex_test_queue_depth{queue=\"a\"}"] == 1)
        let second = await metrics.scrape()
        #expect(MetricSamples(second)["apex_test_queue_depth{queue=\"a\"}"] == 2)
        #expect(MetricSamples(second)["apex_metrics_read_failures_total{series=\"apex_test_broken\"}"] == 2)
        let findings = try await Promtool.check(second)
        #expect(findings == "", "\(findings)")
    }

    @Test func twoServersInOneProcessCountApart() async throws {
        try await World.with(withProjects: false) { world in
            let other = try await world.rebuilt()
            try await world.test { client in _ = try await client.call(.get, "/healthz") }
            #expect(MetricSamples(await world.api.metrics.scrape()).count("apex_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}") == 1)
            #expect(MetricSamples(await other.api.metrics.scrape()).count("apex_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}") == 0)
        }
    }

    /// Counts its reads.
    actor Depth {
        var value = 0
        func next() -> Int {
            value += 1
            return value
        }
    }
}
