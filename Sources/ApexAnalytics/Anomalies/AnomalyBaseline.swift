import ApexDomain
import Crypto
import Foundation

/// One user's baseline: what their requests (events with request metadata) looked like.
struct AnomalyBaseline: Sendable {
    /// Requests seen.
    var requests: Int64 = 0
    /// Requests per UTC hour (24).
    var hours = [Int64](repeating: 0, count: 24)
    /// Address prefixes seen.
    var prefixes: Set<String> = []
    /// User agents seen, counted.
    var agents: [String: Int64] = [:]
    /// Prefixes added by the page (to insert).
    var newPrefixes: Set<String> = []
    /// Agents changed by the page (to write).
    var changedAgents: Set<String> = []

    /// Whether the baseline holds enough requests for its rules.
    var isEstablished: Bool { requests >= Int64(AnomalyThresholds.baselineRequests) }

    /// Whether `hour` is one in which the user is rarely active.
    func isRare(hour: Int) -> Bool {
        Double(hours[hour]) <= AnomalyThresholds.rareHourShare * Double(requests)
    }

    /// Adds one request.
    mutating func add(hour: Int, prefix: String, agent: String?) {
        requests += 1
        hours[hour] += 1
        if prefixes.insert(prefix).inserted { newPrefixes.insert(prefix) }
        if let agent {
            agents[agent, default: 0] += 1
            changedAgents.insert(agent)
        }
    }

    /// The hours as stored: a JSON array.
    var hoursText: String { "[" + hours.map(String.init).joined(separator: ",") + "]" }

    /// Parses ``hoursText``.
    static func hours(_ text: String) -> [Int64] {
        let values = text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",").compactMap { Int64($0) }
        return values.count == 24 ? values : [Int64](repeating: 0, count: 24)
    }
}

/// Address prefixes and keys: what the baselines hold instead of whole addresses.
enum NetworkPrefix {
    /// The /24 of an IPv4 address (an IPv4-mapped IPv6 address counts as IPv4), the /48 of an
    /// IPv6 address; nil for text that is no address.
    static func of(_ address: String) -> String? {
        guard let bytes = AddressRanges.parseAddress(address) else { return nil }
        if bytes.count == 4 { return "\(bytes[0]).\(bytes[1]).\(bytes[2]).0/24" }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return "\(bytes[12]).\(bytes[13]).\(bytes[14]).0/24" }
        let groups = stride(from: 0, to: 6, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/48"
    }

    /// A key for one address that does not hold it: hex SHA-256 of it.
    static func key(_ address: String) -> String {
        EventHash.hex(SHA256.hash(data: Data(address.utf8)))
    }

    /// The id of the flag an event raised under a rule: the same on every delivery of the event,
    /// so the store keeps one flag however often the page is handled.
    static func flagID(rule: AnomalyRule, position: Int64) -> UUID {
        var bytes = Array(SHA256.hash(data: Data("apex.anomaly|\(rule.rawValue)|\(position)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50  // version 5 layout (name-based)
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
