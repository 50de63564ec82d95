public import Foundation

/// The JSON coders the domain uses: sorted keys and ``Timestamp`` dates.
///
/// Field names are spelled out in each type's `CodingKeys` (snake_case on the wire).
public enum DomainCoder {
    /// An encoder with sorted keys and microsecond UTC timestamps.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    /// A decoder that reads ``Timestamp`` dates (and plain `YYYY-MM-DD` days).
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "'\(text)' is not an ISO 8601 UTC timestamp")
            }
            return date
        }
        return decoder
    }
}
