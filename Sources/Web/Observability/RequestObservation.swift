import Hummingbird
import Synchronization

/// What the routers learn of a request that the outer responder needs for its metrics and its
/// access-log line: the route pattern that matched (`/rdvs/:id`, never the raw path).
final class RequestObservation: Sendable {
    @TaskLocal static var current: RequestObservation?

    private let state = Mutex<String?>(nil)

    var route: String? { state.withLock { $0 } }

    func record(route: String?) {
        guard let route else { return }
        state.withLock { $0 = route }
    }
}

/// First middleware of every site's router: notes the matched route pattern (Hummingbird sets
/// it once the route is resolved; "NotFound" when none matched).
struct RoutePatternMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        defer { RequestObservation.current?.record(route: context.endpointPath) }
        return try await next(request, context)
    }
}
