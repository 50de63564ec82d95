import Foundation
import NIOCore

/// What the multipart parser's callbacks build up, for ``MultipartUpload``: the parts' headers,
/// the `file` part's bytes waiting to be written, the description, and the first thing wrong.
/// Lives in one task; the parser calls it synchronously.
final class PartCollector {
    struct Result {
        var filename: String
        var contentType: String
        var description: String?
    }

    private let limit: Int64
    private var headers: [String: String] = [:]
    private var current: String?
    private var fileChunks: [ByteBuffer] = []
    private var fileBytes: Int64 = 0
    private var fileHeaders: [String: String]?
    private var fileComplete = false
    private var descriptionBytes: [UInt8]?
    private(set) var failure: FilesError?

    init(limit: Int64) { self.limit = limit }

    func header(_ name: String, _ value: String) { headers[name.lowercased()] = value }

    func body(_ buffer: inout ByteBuffer) {
        guard failure == nil else { return }
        let name = current ?? startPart()
        switch name {
        case "file":
            fileBytes += Int64(buffer.readableBytes)
            guard fileBytes <= limit else {
                failure = FilesError(.tooLarge, "the file is larger than the limit of \(limit) bytes")
                return
            }
            fileChunks.append(buffer)
        case "description":
            descriptionBytes = (descriptionBytes ?? []) + Array(buffer.readableBytesView)
            if descriptionBytes!.count > MultipartUpload.descriptionLimit {
                failure = FilesError(.malformedUpload, "description is longer than \(MultipartUpload.descriptionLimit) bytes", field: "description")
            }
        default:
            break
        }
    }

    func partComplete() {
        if current == nil { _ = startPart() }  // a part with no body bytes
        if current == "file" { fileComplete = true }
        if current == "description", descriptionBytes == nil { descriptionBytes = [] }
        current = nil
        headers = [:]
    }

    /// Names the part whose headers were just read, and checks it.
    private func startPart() -> String {
        let disposition = headers["content-disposition"].map(Self.parameters) ?? [:]
        let name = disposition["name"] ?? ""
        current = name
        switch name {
        case "file":
            if fileHeaders != nil { failure = FilesError(.malformedUpload, "the body has more than one file part", field: "file") }
            var h = headers
            h["filename"] = disposition["filename"]
            fileHeaders = h
        case "description":
            if descriptionBytes != nil { failure = FilesError(.malformedUpload, "the body has more than one description part", field: "description") }
        default:
            failure = FilesError(.unknownPart, "'\(name)' is not a part of this request (allowed: description, file)", field: name)
        }
        return name
    }

    func takeFileChunks() -> [ByteBuffer] {
        defer { fileChunks = [] }
        return fileChunks
    }

    func result() throws -> Result {
        if let failure { throw failure }
        guard let fileHeaders else { throw FilesError(.missingFile, "the body has no 'file' part", field: "file") }
        guard fileComplete else { throw FilesError(.malformedUpload, "the body ended before the file part did") }
        guard let filename = fileHeaders["filename"] else {
            throw FilesError(.malformedUpload, "the file part has no filename in its Content-Disposition", field: "file.filename")
        }
        var description: String?
        if let bytes = descriptionBytes {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw FilesError(.malformedUpload, "description is not valid UTF-8", field: "description")
            }
            description = text
        }
        return Result(filename: filename, contentType: fileHeaders["content-type"] ?? "application/octet-stream", description: description)
    }

    /// The parameters of a `Content-Disposition` value (`form-data; name="file"; filename="a.pdf"`).
    static func parameters(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(value)
        while let semicolon = rest.firstIndex(of: ";") {
            rest = rest[rest.index(after: semicolon)...].drop(while: { $0 == " " || $0 == "\t" })
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var parsed = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let c = rest.first {
                    rest = rest.dropFirst()
                    if escaped { parsed.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { break } else { parsed.append(c) }
                }
            } else {
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                parsed = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            result[key] = parsed
        }
        return result
    }
}
