import ApexDomain
import ApexStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Fills in the request's forensic metadata (client address per the trusted-proxy rules, user
/// agent, raw forwarding header, peer, request id, trace id), echoes `X-Request-ID`, and tags
/// the logger with `request_id`.
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
            xForwardedFor: (xff ?? forwarded).map { String($0.prefix(1024)) },
            peerAddress: peer,
            requestID: requestID,
            traceID: request.headers[.traceparent].flatMap(Self.traceID))
        context.logger[metadataKey: "request_id"] = .string(requestID)
        do {
            var response = try await next(request, context)
            response.headers[.xRequestID] = requestID
            return response
        } catch let error as any HTTPResponseError {
            var response = try error.response(from: request, context: context)
            response.headers[.xRequestID] = requestID
            return response
        }
    }

    /// ≤128 characters of `[A-Za-z0-9._-]`.
    static func isWellFormedRequestID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128
            && id.utf8.allSatisfy { c in
                (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 46 || c == 95 || c == 45
            }
    }

    /// The trace id of a W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`), if well formed.
    static func traceID(_ header: String) -> String? {
        let parts = header.split(separator: "-")
        guard parts.count == 4, parts[1].count == 32, parts[1].allSatisfy(\.isHexDigit), parts[1] != String(repeating: "0", count: 32)
        else { return nil }
        return String(parts[1]).lowercased()
    }
}
