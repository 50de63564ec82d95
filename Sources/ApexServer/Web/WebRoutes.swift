import ApexWeb
import Foundation
import Logging
import HTTPTypes
import Hummingbird
import NIOCore

/// The web pages under `/ui/` (see `docs/ui.md`): HTML rendered on the server from ApexWeb's
/// templates, one script and one style sheet from `/ui/assets/`. Every response carries the
/// security headers (``WebPageMiddleware``). A session cookie authenticates through the same
/// ``AuthenticationMiddleware`` as a bearer token; every `POST` checks the CSRF token
/// (``WebCSRFMiddleware``); every page asks the same policy as the API.
struct WebRoutes {
    let api: ApexAPI

    func register(on router: Router<ApexRequestContext>) {
        let ui = router.group("ui").add(middleware: WebPageMiddleware(api: api))
        ui.get("assets/:name") { _, context in
            guard let name = context.parameters.get("name"), let asset = api.webPages.asset(name) else { throw APIError.notFound }
            return Response(
                status: .ok, headers: [.contentType: asset.mediaType, .cacheControl: "no-cache"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.data)))
        }
        // Without a session: the stricter `public` rate limit, and the CSRF middleware's Origin check.
        let open = ui.group().add(middleware: api.limiter.publicRoutes).add(middleware: WebCSRFMiddleware(api: api))
        let signIn = WebSignInRoutes(api: api)
        signIn.registerOpen(on: open)
        let authed = ui.group()
            .add(middleware: AuthenticationMiddleware(api: api, sessions: .always))
            .add(middleware: api.limiter.users)
            .add(middleware: WebPageMiddleware(api: api))
            .add(middleware: WebCSRFMiddleware(api: api))
        signIn.registerAuthed(on: authed)
        WebProjectPages(api: api).register(on: authed)
        WebHistoryPages(api: api).register(on: authed)
        WebAuditPage(api: api).register(on: authed)
        // Any other path under /ui/ is the 404 page, with the headers.
        open.get("**") { _, _ -> Response in throw APIError.notFound }
    }
}
