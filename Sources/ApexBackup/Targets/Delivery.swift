/// How one destination fared when a backup or a shipment went to several at once (`--to` repeated).
public struct Delivery<Value: Sendable>: Sendable {
    /// The destination as its target describes itself: a folder path, or `s3://bucket/prefix at
    /// endpoint` (never credentials).
    public var destination: String
    /// What was delivered there, or why it failed.
    public var result: Result<Value, BackupError>

    /// A destination's outcome.
    public init(destination: String, result: Result<Value, BackupError>) {
        self.destination = destination
        self.result = result
    }

    /// Whether the destination got everything.
    public var ok: Bool {
        if case .success = result { return true }
        return false
    }

    /// Runs `deliver` for every target at once and returns each one's outcome in the targets'
    /// order: a destination that fails neither stops nor hides the others. An error that is not
    /// a ``BackupError`` is reported as ``BackupError/Code/transfer``.
    ///
    /// ```swift
    /// let outcomes = await Delivery.toEach([folder, bucket]) { target in try await target.put(key, data) }
    /// ```
    public static func toEach(_ targets: [any BackupTarget], _ deliver: @escaping @Sendable (any BackupTarget) async throws -> Value) async -> [Delivery] {
        await withTaskGroup(of: (Int, Delivery).self) { group in
            for (index, target) in targets.enumerated() {
                group.addTask {
                    let result: Result<Value, BackupError>
                    do { result = .success(try await deliver(target)) } catch let error as BackupError {
                        result = .failure(error)
                    } catch {
                        result = .failure(BackupError(.transfer, "\(error)"))
                    }
                    return (index, Delivery(destination: target.description, result: result))
                }
            }
            var outcomes: [Int: Delivery] = [:]
            for await (index, outcome) in group { outcomes[index] = outcome }
            return targets.indices.compactMap { outcomes[$0] }
        }
    }
}

extension Delivery: Encodable where Value: Encodable {
    enum CodingKeys: String, CodingKey { case destination, ok, delivered, error }

    /// `{"destination", "ok": true, "delivered": …}` or `{"destination", "ok": false, "error": {"code", "message"}}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(destination, forKey: .destination)
        try container.encode(ok, forKey: .ok)
        switch result {
        case .success(let value): try container.encode(value, forKey: .delivered)
        case .failure(let error): try container.encode(["code": error.code.description, "message": error.message], forKey: .error)
        }
    }
}
