import ApexDomain
import ApexServer
import ApexStore
import ApexTestSupport
import Foundation
import NIOHTTP1
import Testing

/// An account's stream takes writes from every instance and from background writers (denials,
/// retention, webhooks): a request that changes the account decides again on the new state
/// when another write landed between its read and its append, instead of answering 409.
@Suite("Account writes across instances")
struct AccountWriteConflictTests {
    @Test func concurrentAccountChangesOnTwoInstancesAllSucceed() async throws {
        try await TwoInstances.with { instances in
            let a = instances.storeA
            let seed = try await World.seed(a, withProjects: false)
            let owner = try await instances.first.issueToken(user: seed.users["owner"]!, account: seed.account)
            let before = try await a.streamHeads()[.account(seed.account)]?.version ?? 0
            let rounds = 15
            try await LiveServer.with(instances.first) { one in
                try await LiveServer.with(instances.second) { two in
                    let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                        group.addTask {
                            var statuses: [Int] = []
                            for i in 0..<rounds {
                                let locale = i.isMultiple(of: 2) ? "es" : "en"
                                statuses.append(try await one.call("/v1/me/preferences", as: owner, method: .PATCH, json: ["locale": .string(locale)]).status)
                            }
                            return statuses
                        }
                        group.addTask {
                            var statuses: [Int] = []
                            for i in 0..<rounds {
                                let days = Double(400 + i)
                                statuses.append(try await two.call("/v1/account/settings", as: owner, method: .PATCH, json: ["metadata_retention_days": .number(days)]).status)
                            }
                            return statuses
                        }
                        return try await group.reduce(into: []) { $0 += $1 }
                    }
                    #expect(statuses.count == 2 * rounds)
                    #expect(statuses.allSatisfy { $0 == 200 }, "no account write is refused for a write that landed meanwhile: \(statuses)")
                }
            }
            // Every change is recorded once, none lost, none twice.
            let events = try await a.readStream(.account(seed.account), from: before + 1, limit: 1000, mode: .stored)
            #expect(events.filter { $0.type == UserPreferencesChanged.type }.count == rounds)
            #expect(events.filter { $0.type == AccountSettingsChanged.type }.count == rounds)
            let account = try await a.readStream(.account(seed.account), from: 1, limit: 10_000, mode: .stored)
            #expect(account.map(\.version) == Array(1...Int64(account.count)))
        }
    }
}
