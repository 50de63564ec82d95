import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Fills in the request's forensic metadata (client address per the trusted-proxy rules, user
/// agent, both raw forwarding headers, peer, request id, trace id), echoes `X-Request-ID`, tags
/// the logger with `request_id`, and sets the headers every answer carries:
/// `X-Content-Type-Options: nosniff` on all, `Cache-Control: no-store` on the API's (`/v1/…`,
/// which may hold personal data or tokens), errors included.
struct RequestMetadataMiddleware: RouterMiddleware {
    typealias Context = ApexRequestContext
    let trustedProxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[.xRequestID]
        let requestID = incoming.flatMap(Self.isWellFormedRequestID) == true ? incoming! : UUID().uuidString.lowercased()
        let peer = context.remoteAddress?.ipAddress
        let xff = request.headers[.xForwardedFor]
        let forwarded = request.headers[.forwarded]
        context.requestID = requestID
        context.requestMetadata = RequestMetadata(
            ipAddress: trustedProxies.clientAddress(peer: peer, xForwardedFor: xff, forwarded: forwarded),
            userAgent: request.headers[.userAgent].map { String($0.prefix(512)) },
            xForwardedFor: xff.map { String($0.prefix(1024)) },
            peerAddress: peer,
            requestID: requestID,
            traceID: request.headers[.traceparent].flatMap(Self.traceID),
            forwarded: forwarded.map { String($0.prefix(1024)) })
        context.logger[metadataKey: "request_id"] = .string(requestID)
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.xRequestID] = requestID
        response.headers[.xContentTypeOptions] = "nosniff"
        if request.uri.path.hasPrefix("/v1/") { response.headers[.cacheControl] = "no-store" }
        return response
    }

    /// ≤128 characters of `[A-Za-z0-9._-]`.
    static func isWellFormedRequestID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128
            && id.utf8.allSatisfy { c in
                (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 46 || c == 95 || c == 45
            }
    }

    /// The trace id of a W3C `traceparent` (`<version>-<32 hex>-<16 hex>-<2 hex>`), if well
    /// formed: version two hex digits and not `ff`, version `00` with exactly four parts (a
    /// later version may append more), trace id and parent id hex and not all zeros, flags hex.
    /// Anything else is ignored, as the Trace Context spec asks.
    static func traceID(_ header: String) -> String? {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        func hex(_ part: Substring, _ count: Int) -> Bool { part.utf8.count == count && part.allSatisfy(\.isHexDigit) }
        guard parts.count >= 4, hex(parts[0], 2), parts[0].lowercased() != "ff", parts[0] != "00" || parts.count == 4,
            hex(parts[1], 32), parts[1] != String(repeating: "0", count: 32),
            hex(parts[2], 16), parts[2] != String(repeating: "0", count: 16),
            hex(parts[3], 2)
        else { return nil }
        return String(parts[1]).lowercased()
    }
}
