public import ApexDomain
public import Foundation

extension EventStore {
    /// Every account in the store, each replayed from its stream (a page at a time, personal
    /// values opened, as ``readStream(_:from:)`` reads them), in the order of their stream ids,
    /// until `body` returns false. For operator jobs that must visit every account (retention,
    /// finding a user's account from the CLI); a server keeps account states cached instead.
    public func forEachAccount(_ body: (StreamID, AccountState) async throws -> Bool) async throws {
        for stream in try await streamHeads().keys.filter({ $0.rawValue.hasPrefix("account-") }).sorted(by: { $0.rawValue < $1.rawValue }) {
            guard try await body(stream, try await accountState(of: stream)) else { return }
        }
    }

    private func accountState(of stream: StreamID) async throws -> AccountState {
        try await foldStream(stream, into: AccountState(), mode: .opened) { state, page in
            for event in page { try state.apply(event) }
        }
    }
}
