public import ApexStore

extension ApexMetrics {
    /// Registers the store's gauges, read at each scrape: `apex_store_head_position` (the last
    /// global position) and `apex_consumer_lag_events{consumer}` for each of `consumers` (the head
    /// minus the consumer's saved position; the whole head for one that has never saved one).
    public func registerStoreGauges(store: any EventStore, consumers: [String]) {
        registerGauge(name: "apex_store_head_position", help: "The global position of the last event in the store.") {
            [GaugeSample(value: Double(try await store.headPosition()))]
        }
        guard !consumers.isEmpty else { return }
        registerGauge(name: "apex_consumer_lag_events", help: "Events a consumer of the log has still to handle (head minus its saved position).") {
            let head = try await store.headPosition()
            let saved = Dictionary(try await store.consumerPositions().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            return consumers.map { name in
                let lag = saved[name]?.lag(head: head) ?? max(0, head)
                return GaugeSample(labels: [("consumer", name)], value: Double(lag))
            }
        }
    }
}
