import HTTPTypes
import Hummingbird
import Synchronization

/// The methods each registered path answers, for a 405 with `Allow` when a known path is asked
/// with another method (the router alone answers 404). Filled once the routes are registered;
/// `HEAD` is allowed wherever `GET` is (the router answers it like `GET`, without the body).
final class AllowedMethods: Sendable {
    private struct Route {
        var segments: [Substring]
        var methods: Set<String>
    }

    private let routes = Mutex<[Route]>([])

    /// Records the router's routes.
    func register<Context>(_ described: [Router<Context>.RouteDescription]) {
        var byPath: [String: Set<String>] = [:]
        for route in described {
            byPath[route.path.description, default: []].insert(route.method.rawValue.uppercased())
            if route.method == .get { byPath[route.path.description, default: []].insert("HEAD") }
        }
        let table = byPath.map { Route(segments: $0.key.split(separator: "/"), methods: $0.value) }
        routes.withLock { $0 = table }
    }

    /// The `Allow` value for `path` (methods sorted, comma-separated), or nil when no route has that path.
    func allow(_ path: String) -> String? {
        let asked = path.split(separator: "/")
        let methods = routes.withLock { routes in
            routes.filter { Self.matches($0.segments, asked) }.reduce(into: Set<String>()) { $0.formUnion($1.methods) }
        }
        return methods.isEmpty ? nil : methods.sorted().joined(separator: ", ")
    }

    private static func matches(_ pattern: [Substring], _ asked: [Substring]) -> Bool {
        pattern.count == asked.count && zip(pattern, asked).allSatisfy { p, a in p.hasPrefix(":") || p.hasPrefix("{") || p == "*" || p == a }
    }
}
