import ApexExport
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A response body writer as an export's sink.
struct ResponseSink: ExportSink {
    var writer: any ResponseBodyWriter

    mutating func write(_ bytes: [UInt8]) async throws { try await writer.write(ByteBuffer(bytes: bytes)) }
}

extension Response {
    /// An export streamed as an attachment named `file`: `write` runs as the body is sent, so
    /// everything that can be refused (access, parameters) is checked before.
    static func export(
        _ format: ExportFormat, file: String, _ write: @escaping @Sendable (inout ResponseSink) async throws -> Void
    ) -> Response {
        let headers: HTTPFields = [.contentType: format.mediaType, .contentDisposition: ApexAPI.attachment(file), .cacheControl: "no-store"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var sink = ResponseSink(writer: writer)
            try await write(&sink)
            try await sink.writer.finish(nil)
        })
    }

    /// A finished workbook streamed as an attachment named `file` (it was written before the
    /// answer began, so a failure while writing it is still a problem response).
    static func export(_ workbook: ExportFile, file: String) throws -> Response {
        let size = try workbook.size()
        var response = Response.export(.xlsx, file: file) { sink in try await workbook.copy(to: &sink) }
        response.headers[.contentLength] = String(size)
        return response
    }
}
