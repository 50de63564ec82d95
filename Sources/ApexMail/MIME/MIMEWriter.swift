import ApexDomain
import Crypto
public import Foundation

/// Writes a ``MailMessage`` as an RFC 5322 message: `multipart/alternative` with a UTF-8
/// plain-text part then an HTML part, both base64; the subject RFC 2047-encoded when it is not
/// plain ASCII; `Message-ID` and the boundary derived from the message key, so every attempt
/// of one message is byte-identical but for `Date`. Lines end with CRLF.
public enum MIMEWriter {
    /// The message as sent.
    public static func render(_ message: MailMessage, date: Date) -> String {
        let digest = EventHash.hex(SHA256.hash(data: Data(message.key.utf8)))
        let boundary = "apex-\(digest.prefix(32))"
        var lines = [
            "Date: \(rfc5322Date(date))",
            "From: \(header(message.from))",
            "To: \(message.to)",
            "Subject: \(encodedWords(message.subject))",
            "Message-ID: \(messageID(key: message.key, from: message.from))",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
            "Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"",
            "",
        ]
        for (type, body) in [("text/plain", message.text), ("text/html", message.html)] {
            lines += ["--\(boundary)", "Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", ""]
            lines += base64Lines(Data(body.utf8))
        }
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `<sha256(key)[..32]@domain of from>`: the same for every attempt of one message.
    public static func messageID(key: String, from: String) -> String {
        let digest = EventHash.hex(SHA256.hash(data: Data(key.utf8)))
        let address = MailMessage.address(from)
        let domain = address.split(separator: "@").last.map(String.init) ?? "apex.localdomain"
        return "<\(digest.prefix(32))@\(domain)>"
    }

    /// `text` as is when it is printable ASCII, else as RFC 2047 `=?UTF-8?B?…?=` words of at
    /// at most 64 characters (whole characters per word, so a line with its header name stays
    /// under 78), folded onto continuation lines.
    public static func encodedWords(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7f }) { return text }
        var words: [String] = []
        var chunk = ""
        // 39 bytes are 52 base64 characters: 64 with the markers.
        for character in text where character != "\r" && character != "\n" {
            if (chunk + String(character)).utf8.count > 39 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// A `From` header: a display name that is not ASCII is encoded.
    static func header(_ from: String) -> String {
        guard let open = from.lastIndex(of: "<") else { return from }
        let name = from[..<open].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return from }
        return "\(encodedWords(name)) \(from[open...])"
    }

    /// Base64 in lines of 76.
    static func base64Lines(_ data: Data) -> [String] {
        let text = data.base64EncodedString()
        var out: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let end = text.index(index, offsetBy: 76, limitedBy: text.endIndex) ?? text.endIndex
            out.append(String(text[index..<end]))
            index = end
        }
        return out
    }

    /// `Sat, 05 Dec 2026 00:30:00 +0000`.
    static func rfc5322Date(_ date: Date) -> String { utc(date, "EEE, dd MMM yyyy HH:mm:ss Z") }

    /// `date` in UTC as `format` (POSIX locale) gives it.
    static func utc(_ date: Date, _ format: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter.string(from: date)
    }
}
