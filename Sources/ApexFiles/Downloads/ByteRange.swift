/// A `Range: bytes=…` request header (RFC 9110 §14.1.2), resolved against a size.
///
/// One range only: `bytes=0-499`, `bytes=500-`, `bytes=-500`. A list of ranges, another unit or
/// a malformed value is ignored (the whole content is served, as the RFC allows); a range that
/// starts past the end is unsatisfiable (416).
public enum ByteRange {
    /// What to serve.
    public enum Resolution: Sendable, Hashable {
        /// The whole content (no usable Range header).
        case whole
        /// The bytes `range` (206).
        case partial(Range<Int64>)
        /// Nothing can be served (416).
        case unsatisfiable
    }

    /// Resolves `header` against content of `size` bytes.
    public static func resolve(_ header: String?, size: Int64) -> Resolution {
        guard let header, header.hasPrefix("bytes=") else { return .whole }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: [" ", "\t"])
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        guard first.allSatisfy(\.isASCIIDigit), last.allSatisfy(\.isASCIIDigit), first.count <= 18, last.count <= 18 else { return .whole }
        if first.isEmpty {
            guard let suffix = Int64(last), suffix > 0 else { return last.isEmpty ? .whole : .unsatisfiable }
            return size == 0 ? .unsatisfiable : .partial(max(0, size - suffix)..<size)
        }
        guard let start = Int64(first) else { return .whole }
        guard start < size else { return .unsatisfiable }
        let end = last.isEmpty ? size - 1 : Int64(last) ?? .max
        guard end >= start else { return .whole }
        return .partial(start..<(min(end, size - 1) + 1))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

import Foundation
