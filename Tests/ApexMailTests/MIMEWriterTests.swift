@testable import ApexMail
import Foundation
import Testing

/// The message format and the settings, without a server.
struct MIMEWriterTests {
    let message = MailMessage(
        key: "e1:u1:invitation", from: "Apex Señal <noreply@apex.example>", to: "ana@example.com",
        subject: "Está invitado a «Torres del Norte» en Apex — una línea larga de verdad", text: "Hola\n.dot line\nfin", html: "<p>Hola &amp; adiós</p>")

    @Test func headersAreASCIIAndTheMessageIDFollowsTheKey() {
        let text = MIMEWriter.render(message, date: Date(timeIntervalSince1970: 0))
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(text.contains("Message-ID: \(MIMEWriter.messageID(key: message.key, from: message.from))"))
        #expect(MIMEWriter.messageID(key: message.key, from: message.from).hasSuffix("@apex.example>"))
        #expect(MIMEWriter.messageID(key: "other", from: message.from) != MIMEWriter.messageID(key: message.key, from: message.from))
        #expect(text.contains("Subject: =?UTF-8?B?"))
        #expect(text.contains("Content-Type: multipart/alternative;"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends with CRLF")
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.count <= 78 })
    }

    @Test func encodedWordsKeepWholeCharacters() throws {
        let encoded = MIMEWriter.encodedWords(message.subject)
        var decoded = ""
        for word in encoded.components(separatedBy: "\r\n ") {
            #expect(word.count <= 75)
            let base64 = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            let bytes = try #require(Data(base64Encoded: String(base64)))
            decoded += String(decoding: bytes, as: UTF8.self)
        }
        #expect(decoded == message.subject)
        #expect(MIMEWriter.encodedWords("Plain subject") == "Plain subject")
    }

    @Test func dotStuffingDoublesLeadingDotsAndEndsLinesWithCRLF() {
        #expect(SMTPClient.dotStuffed("a\n.b\r\n..c\r\n.") == "a\r\n..b\r\n...c\r\n..\r\n")
    }

    @Test func settingsParseAndNeverShowThePassword() throws {
        let s = try SMTPSettings(url: "smtp://mailer%40x:p%40ss@mail.example:2525?starttls=required&ca_file=/tmp/ca.pem")
        #expect(s.host == "mail.example" && s.port == 2525 && s.user == "mailer@x" && s.password == "p@ss")
        #expect(s.startTLS == .required && s.caFile == "/tmp/ca.pem")
        #expect(!s.description.contains("p@ss") && s.description.contains("***"))
        #expect(try SMTPSettings(url: "smtp://localhost").port == 25)
        #expect(throws: MailError.self) { try SMTPSettings(url: "http://x") }
        #expect(throws: MailError.self) { try SMTPSettings(url: "smtp://u:secret@x?starttls=maybe") }
        do { _ = try SMTPSettings(url: "smtp://u:secret@x?bogus=1") } catch { #expect(!error.description.contains("secret")) }
    }
}
