import ApexStore
import Logging

extension SearchIndex {
    /// Brings the index up to the log's head as of now, and returns how many events it still
    /// lags by (0 when current): ``ConsumerCatchUp`` with ``Options/catchUpWait`` and
    /// ``Options/inlineCatchUpLimit``.
    @discardableResult
    public func catchUp() async throws -> Int64 {
        guard backend != nil else { return 0 }
        return try await ConsumerCatchUp(
            consumer, store: store, wait: options.catchUpWait, inlineLimit: options.inlineCatchUpLimit, logger: logger
        ).run()
    }
}
