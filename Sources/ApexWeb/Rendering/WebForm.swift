import Foundation

/// The fields of an `application/x-www-form-urlencoded` body (what an HTML form posts): the
/// first value of each name, `+` as a space, percent-escapes decoded. A field whose escapes do
/// not decode is left out.
public struct WebForm: Sendable, Hashable {
    /// The values by name.
    public var fields: [String: String]

    /// The fields of `body`.
    public init(_ body: String) {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String? { String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else { continue }
            if fields[name] == nil { fields[name] = value }
        }
        self.fields = fields
    }

    /// The value of `name`, nil when absent.
    public subscript(_ name: String) -> String? { fields[name] }
}
