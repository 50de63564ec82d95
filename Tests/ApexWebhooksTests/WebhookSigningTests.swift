import ApexDomain
import ApexStore
import ApexWebhooks
import Foundation
import Testing

/// Standard Webhooks signing, the SSRF guard's address classes, the retry schedule and patterns:
/// pure, no I/O.
@Suite("Webhook signing and rules")
struct WebhookSigningTests {
    /// The specification's published test vector (standard-webhooks, also Svix's).
    @Test func signsThePublishedTestVector() throws {
        let secret = try WebhookSecret(parsing: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = secret.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Data(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func rotationSignsWithEverySecretInOrder() throws {
        let a = WebhookSecret.generate(), b = WebhookSecret.generate()
        let headers = SignedHeaders(id: "m", timestamp: 1, body: Data("{}".utf8), secrets: [a, b])
        #expect(headers.signature.split(separator: " ").map(String.init) == [a.signature(id: "m", timestamp: 1, body: Data("{}".utf8)), b.signature(id: "m", timestamp: 1, body: Data("{}".utf8))])
        #expect(a != b)
    }

    @Test func secretsAreWhsecWithTwentyFourToSixtyFourBytes() throws {
        let secret = WebhookSecret.generate()
        #expect(secret.text.hasPrefix("whsec_"))
        #expect(try WebhookSecret(parsing: secret.text) == secret)
        #expect(!"\(secret)".contains(secret.bytes.base64EncodedString()))
        #expect(throws: WebhooksError.self) { try WebhookSecret(parsing: "whsec_" + Data(count: 16).base64EncodedString()) }
        #expect(throws: WebhooksError.self) { try WebhookSecret(parsing: "secret") }
    }

    @Test(arguments: [
        ("127.0.0.1", false), ("10.1.2.3", false), ("172.16.0.1", false), ("192.168.1.1", false), ("169.254.169.254", false),
        ("0.0.0.0", false), ("224.0.0.1", false), ("255.255.255.255", false), ("100.64.0.1", false), ("::1", false), ("::", false),
        ("fe80::1", false), ("fd00::1", false), ("ff02::1", false), ("::ffff:127.0.0.1", false), ("::ffff:169.254.169.254", false),
        ("93.184.216.34", true), ("8.8.8.8", true), ("2606:4700:4700::1111", true), ("::ffff:8.8.8.8", true),
    ])
    func classifiesAddresses(address: String, isPublic: Bool) {
        #expect(URLGuard.isPublic(address) == isPublic)
    }

    @Test func refusesPrivateAndNonHTTPSURLs() async throws {
        let guardian = URLGuard()
        for url in ["https://127.0.0.1/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]:8443/x", "https://localhost/x", "https://10.0.0.5/x"] {
            await #expect(throws: WebhooksError.self) { try await guardian.check(url) }
        }
        for url in ["http://93.184.216.34/x", "ftp://93.184.216.34/x", "https://user:pw@93.184.216.34/x", "not a url"] {
            await #expect(throws: WebhooksError.self) { try await guardian.check(url) }
        }
        let target = try await guardian.check("https://93.184.216.34/x")
        #expect(target.address == "93.184.216.34")
        let open = URLGuard(allowHTTP: true, allowPrivate: true)
        #expect(try await open.check("http://127.0.0.1:9/x").address == "127.0.0.1")
    }

    @Test func retryScheduleParsesAndRunsOut() throws {
        let schedule = try RetrySchedule(parsing: "1s,2s,500ms")
        #expect(schedule.delays == [.seconds(1), .seconds(2), .milliseconds(500)])
        #expect(schedule.delay(after: 4) == nil)
        let d = try #require(RetrySchedule.standard.delay(after: 1))
        #expect(d >= .seconds(4) && d <= .seconds(6))
        #expect(throws: RetryScheduleError.self) { try RetrySchedule(parsing: "1s,soon") }
    }

    @Test func breakerPausesAfterTheThresholdAndGrows() {
        let breaker = CircuitBreaker()
        #expect(breaker.pause(afterFailures: 4) == nil)
        #expect(breaker.pause(afterFailures: 5) == .seconds(60))
        #expect(breaker.pause(afterFailures: 6) == .seconds(120))
        #expect(breaker.pause(afterFailures: 40) == .seconds(3600))
    }

    @Test func patternsMatchExactPrefixAndAll() {
        #expect(WebhookEndpoint.matches("project.updated", patterns: ["project.*"]))
        #expect(!WebhookEndpoint.matches("projects.updated", patterns: ["project.*"]))
        #expect(WebhookEndpoint.matches("calculation.approved", patterns: ["calculation.approved"]))
        #expect(!WebhookEndpoint.matches("calculation.run", patterns: ["calculation.approved"]))
        #expect(WebhookEndpoint.matches("anything.at_all", patterns: ["*"]))
        #expect(WebhookEndpoint.isValidPattern("project.*") && WebhookEndpoint.isValidPattern("*"))
        #expect(!WebhookEndpoint.isValidPattern("*.updated") && !WebhookEndpoint.isValidPattern("Project.x") && !WebhookEndpoint.isValidPattern(""))
    }
}

/// `Retry-After` in both forms RFC 9110 allows.
@Suite("Retry-After")
struct RetryAfterTests {
    @Test func parsesDelaySeconds() {
        #expect(RetryAfter.parse("120") == .seconds(120))
        #expect(RetryAfter.parse(" 0 ") == .zero)
        #expect(RetryAfter.parse("99999999999999999999999") == RetryAfter.longest)
        #expect(RetryAfter.parse("-5") == nil)
        #expect(RetryAfter.parse("soon") == nil)
        #expect(RetryAfter.parse("") == nil)
    }

    @Test func parsesHTTPDatesInEveryForm() {
        let now = Date(timeIntervalSince1970: 784_111_777) // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:50:07 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:50:07 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Sun Nov  6 08:50:07 1994", now: now) == .seconds(30))
        // A date in the past: no wait; far ahead: a day at most.
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero)
        #expect(RetryAfter.parse("Fri, 01 Jan 2100 00:00:00 GMT", now: now) == RetryAfter.longest)
    }
}
