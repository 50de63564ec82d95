import ApexDomain
import ApexStore
import Foundation
import Logging

/// Records access denials in the caller's account stream, folding repeats: the first denial of a
/// kind (same account, user, action, resource, code and message) is appended before the caller
/// is answered; identical ones within ``window`` are only counted, and the count is appended as
/// one more `access.denied` with `count` when the window closes (the next such denial after it,
/// ``flushExpired()`` on a timer, or ``flushAll()`` when the server stops).
///
/// A crash loses at most one window's counts; a graceful stop loses none (``ApexServer`` flushes
/// after the last request has been answered, before the store closes).
actor DenialRecorder {
    struct Key: Hashable {
        var account: UUID
        var user: UUID
        var action: String
        var resource: String
        var code: String
        var message: String
    }

    struct Window {
        var opened: ContinuousClock.Instant
        var repeats = 0
        /// The metadata of the latest repeat, recorded with the count.
        var lastMetadata = RequestMetadata.none
    }

    /// Windows kept open at most; past this a denial is recorded on its own (no folding), so
    /// memory stays bounded whatever the callers send.
    static let maximumWindows = 10_000

    let store: any EventStore
    let window: Duration
    let logger: Logger
    private var windows: [Key: Window] = [:]

    init(store: any EventStore, window: Duration, logger: Logger) {
        self.store = store
        self.window = window
        self.logger = logger
    }

    /// Records `denial` for `principal`: appended now, or counted in an open window.
    func record(_ denial: AccessDenied, by principal: Principal, metadata: RequestMetadata) async throws {
        let key = Key(
            account: principal.accountID, user: principal.userID, action: denial.action, resource: denial.resource, code: denial.code,
            message: denial.message)
        let now = ContinuousClock.now
        if window > .zero, var open = windows[key] {
            if now - open.opened < window {
                open.repeats += 1
                open.lastMetadata = metadata
                windows[key] = open
                return
            }
            windows[key] = nil
            try await writeCount(key, open)
        }
        let folding = window > .zero && windows.count < Self.maximumWindows
        if folding { windows[key] = Window(opened: now) }
        do { try await append(denial, key, metadata) } catch {
            if folding { windows[key] = nil }
            throw error
        }
    }

    /// Writes the counts of the windows that have closed.
    func flushExpired() async throws {
        let now = ContinuousClock.now
        for (key, open) in windows where now - open.opened >= window {
            windows[key] = nil
            try await writeCount(key, open)
        }
    }

    /// Writes every pending count (at shutdown). A failure is logged, and the other counts still written.
    func flushAll() async {
        let pending = windows
        windows = [:]
        for (key, open) in pending {
            do { try await writeCount(key, open) } catch {
                logger.error("could not record coalesced access denials", metadata: ["error": "\(error)", "count": "\(open.repeats)"])
            }
        }
    }

    private func writeCount(_ key: Key, _ open: Window) async throws {
        guard open.repeats > 0 else { return }
        let denial = AccessDenied(action: key.action, resource: key.resource, code: key.code, message: key.message, count: open.repeats)
        try await append(denial, key, open.lastMetadata)
    }

    private func append(_ denial: AccessDenied, _ key: Key, _ metadata: RequestMetadata) async throws {
        let event = try ProposedEvent(id: UUID(), denial, accountID: key.account, actor: .user(key.user), requestMetadata: metadata)
        _ = try await store.append([event], to: .account(key.account), expected: .any)
    }
}
