import ApexAudit
import ApexDomain
import ApexStore
import Foundation
import Testing

/// The HTML report is rendered from a template that escapes every value: recorded text that
/// looks like markup, quotes and ampersands (in names, reasons, request metadata) shows as text.
@Suite("HTML report escaping")
struct ReportHTMLTests {
    static let projectName = "<script>alert(\"pwned\")</script> & 'Co'"
    static let ownerName = "Eve <img src=x onerror=alert(1)> \"Quote\" & Sons"
    static let reason = "Checked \"wind\" & <b>loads</b>; it's fine"
    /// A quote followed by a combining mark is one Swift character: escaping character by
    /// character would let the quote through.
    static let combining = "x\"\u{301} onmouseover=alert(2) <\u{338}script>"
    static let license = PELicense(number: "PE-<1>&\"2\"", state: "TX", expiresOn: CivilDate(year: 2099, month: 12, day: 31))

    /// A store holding an account whose owner has a hostile name, and a project whose name,
    /// reasons and request metadata are hostile, with an approved calculation.
    static func report() async throws -> AuditReport {
        let store = InMemoryEventStore()
        let account = UUID(), owner = UUID(), project = UUID(), calculation = UUID()
        let context = DecisionContext(now: Date())
        let created = try AccountDecider.decide(
            .create(accountID: account, name: "Acme & <Sons>", ownerID: owner, ownerName: ownerName, ownerEmail: "eve@example.com"),
            state: AccountState(), context: context)
        _ = try await store.append(created.map { $0.proposed(id: UUID(), accountID: account, actor: .service("test")) }, to: .account(account), expected: .noStream)
        let state = try AccountState.replay(try await store.readStream(.account(account)))
        let licensed = try AccountDecider.decide(.setPELicense(userID: owner, license: license), state: state, context: context)
        _ = try await store.append(
            licensed.map { $0.proposed(id: UUID(), accountID: account, actor: .user(owner)) }, to: .account(account), expected: .exact(state.version))

        let metadata = RequestMetadata(ipAddress: "203.0.113.9", userAgent: "<script>ua</script>", requestID: "req-<1>")
        func act(_ command: ProjectCommand) async throws {
            let state = try ProjectState.replay(try await store.readStream(.project(project)))
            let drafts = try ProjectDecider.decide(command, state: state, context: context)
            let events = drafts.map { $0.proposed(id: UUID(), accountID: account, actor: .user(owner), requestMetadata: metadata) }
            _ = try await store.append(events, to: .project(project), expected: state.version == 0 ? .noStream : .exact(state.version))
        }
        try await act(.create(projectID: project, fields: ProjectFields(name: projectName, tags: ["pylon"])))
        try await act(.update(changes: ["description": .string(combining)]))
        try await act(.changeStatus(to: .estimating, reason: nil))
        try await act(.runCalculation(calculationID: calculation, type: .poleBaseMoment, inputs: ["F": 2000, "y": 15, "Fb": 30]))
        try await act(.approveCalculation(calculationID: calculation, revision: 1, approver: owner, license: license, reason: reason))
        return try await AuditReport.build(store: store, project: project, storeDescription: "memory <store>")
    }

    @Test func hostileRecordedTextIsEscaped() async throws {
        let html = try await Self.report().html
        #expect(html.hasPrefix("<!DOCTYPE html>\n"), "the page starts with its doctype")
        #expect(html.hasSuffix("</html>\n"))
        #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("<b>"), "no recorded markup survives")
        #expect(html.contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#39;Co&#39;"), "the project name")
        #expect(html.contains("<title>Audit report: &lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#39;Co&#39;</title>"))
        #expect(html.contains("Eve &lt;img src=x onerror=alert(1)&gt; &quot;Quote&quot; &amp; Sons <code>"), "the approver's and actor's name")
        #expect(html.contains("Checked &quot;wind&quot; &amp; &lt;b&gt;loads&lt;/b&gt;; it&#39;s fine"), "the reason")
        #expect(html.contains("x&quot;\u{301} onmouseover=alert(2) &lt;\u{338}script&gt;"), "a quote and a bracket before a combining mark")
        #expect(html.contains("No. PE-&lt;1&gt;&amp;&quot;2&quot;, TX, expires 2099-12-31"), "the licence")
        #expect(html.contains("user agent <code>&lt;script&gt;ua&lt;/script&gt;</code>") && html.contains("request <code>req-&lt;1&gt;</code>"))
        #expect(html.contains("Acme &amp; &lt;Sons&gt;") && html.contains("<code>memory &lt;store&gt;</code>"))
    }
}
