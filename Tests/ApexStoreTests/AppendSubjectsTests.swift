import ApexDomain
@testable import ApexStore
import Foundation
import Testing

/// The subjects an append needs keys for are computed without building envelopes; they must
/// be exactly the subjects of the envelopes the append then seals.
@Suite("Append subjects")
struct AppendSubjectsTests {
    @Test func subjectsWithoutEnvelopesAreTheEnvelopesSubjects() {
        let accounts = [UUID(), UUID()]
        let users = [UUID(), UUID(), UUID()]
        var requests: [AppendRequest] = []
        for i in 0..<40 {
            let user = users[(i / 3) % users.count]
            var data: JSONValue = ["n": .number(Double(i))]
            if i % 3 == 0 { data = ["owner": Personal("Ada \(i)", subject: DataSubject.user(user.lowercased)).json, "list": [["x": 1]]] }
            if i % 5 == 0 { data = ["nested": [["who": Personal("x", subject: DataSubject.requestMetadata).json]]] }
            let metadata = i % 4 == 0 ? RequestMetadata.none : RequestMetadata(ipAddress: "192.0.2.\(i)", userAgent: i % 2 == 0 ? "ua" : nil)
            let event = ProposedEvent(
                id: UUID(), type: "test.note", data: data, accountID: accounts[i % 2], actor: .user(user), requestMetadata: metadata)
            requests.append(AppendRequest(events: [event], stream: .project(UUID()), expected: .any))
        }
        for time in [Date(), Date(timeIntervalSince1970: 1_796_083_199.9999996), Date(timeIntervalSince1970: 1_796_083_200)] {
            let viaEnvelopes = requests.reduce(into: Set<String>()) { all, r in
                all.formUnion(AppendPlanner.subjects(of: AppendPlanner.envelopes(r.events, stream: r.stream, head: nil, firstPosition: 1, recordedAt: time)))
            }
            #expect(AppendPlanner.subjects(of: requests, recordedAt: time) == viaEnvelopes)
            #expect(viaEnvelopes.count >= 5)
        }
    }

    @Test func keysReadForOneTimeServeAnotherOnlyInTheSameMonth() {
        // An append reads keys for the subjects at its own clock and plans at the database's;
        // the subjects are worked out again only when the two fall in different months.
        let endOfNovember = Date(timeIntervalSince1970: 1_796_083_199.5)  // 2026-11-30T23:59:59.5Z
        let december = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01T00:00:00Z
        let request = AppendRequest(
            events: [ProposedEvent(id: UUID(), type: "test.note", data: [:], accountID: UUID(), actor: .user(UUID()),
                requestMetadata: RequestMetadata(ipAddress: "192.0.2.1"))],
            stream: .project(UUID()), expected: .any)
        #expect(Sealer.sameMonth(endOfNovember, endOfNovember.addingTimeInterval(-86_400 * 29)))
        #expect(!Sealer.sameMonth(endOfNovember, december))
        #expect(!Sealer.sameMonth(december, december.addingTimeInterval(-86_400 * 365)))
        // As the append records it: a time a few hundred nanoseconds before midnight rounds to it.
        let lastInstant = Date(timeIntervalSince1970: 1_796_083_199.9999996)
        #expect(Sealer.sameMonth(lastInstant, december) == (AppendPlanner.subjects(of: [request], recordedAt: lastInstant) == AppendPlanner.subjects(of: [request], recordedAt: december)))
        #expect(AppendPlanner.subjects(of: [request], recordedAt: endOfNovember) != AppendPlanner.subjects(of: [request], recordedAt: december))
    }
}
