import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Tenancy

/// Renders a `PublicError` the way the client asked: problem+json for the API and for clients
/// that prefer JSON, an HTML page for people.
struct ErrorRenderer: Sendable {
    let pages: Pages

    func response(for error: PublicError, request: Request) -> Response {
        wantsProblemJSON(request) ? problem(error, instance: request.uri.path) : pages.errorPage(error)
    }

    func wantsProblemJSON(_ request: Request) -> Bool {
        if request.uri.path.hasPrefix("/api/") { return true }
        let accept = request.headers[.accept] ?? ""
        return (accept.contains("application/json") || accept.contains("application/problem+json")) && !accept.contains("text/html")
    }

    /// RFC 9457 problem details.
    func problem(_ error: PublicError, instance: String) -> Response {
        let body: [String: any Sendable] = [
            "type": "about:blank",
            "code": error.code,
            "title": error.title,
            "status": Int(error.status.code),
            "detail": error.detail,
            "instance": instance,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers = error.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}

/// Turns every error a route throws into a French page or problem+json; logs the unexpected ones
/// (without request content, which may hold personal data) and answers them with a plain 500.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let renderer: ErrorRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            // No handler reads a NUL character from the query: PostgreSQL would refuse it with a 500.
            if request.uri.query?.range(of: "%00") != nil, request.uri.queryParameters.contains(where: { $0.value.contains("\u{0}") || $0.key.contains("\u{0}") }) {
                throw PublicError.nulCharacter
            }
            return try await next(request, context)
        } catch let error as SignInRequired {
            if renderer.wantsProblemJSON(request) {
                return renderer.response(
                    for: PublicError(.unauthorized, title: "Connexion requise", detail: "Cette ressource demande une session d’agent."),
                    request: request
                )
            }
            let target = error.returnTo.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
            return Response(status: .seeOther, headers: [.location: "/connexion?retour=\(target)"])
        } catch let error as UsagerSignInRequired {
            let target = error.returnTo.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
            return Response(status: .seeOther, headers: [.location: "/mon-compte/connexion?retour=\(target)"])
        } catch let error as SecondFactorRequired {
            if renderer.wantsProblemJSON(request) {
                return renderer.response(
                    for: PublicError(.unauthorized, title: "Double authentification requise", detail: "Cette session doit d’abord passer la double authentification."),
                    request: request
                )
            }
            return Response(status: .seeOther, headers: [.location: error.path])
        } catch let error as PublicError {
            return renderer.response(for: error, request: request)
        } catch let error as any DomainError {
            return renderer.response(for: PublicError(error), request: request)
        } catch let error as HTTPError {
            return renderer.response(for: .from(error), request: request)
        } catch where error.isDatabaseUnavailable {
            logDatabaseUnavailable(error, context.logger)
            return renderer.response(for: .databaseUnavailable, request: request)
        } catch {
            if let refused = PublicError.refusedValue(error) {
                // A gap in a form's checks, not the person's fault: logged to be closed, answered 422.
                context.logger.warning("value refused by the database", metadata: errorMetadata(error))
                return renderer.response(for: refused, request: request)
            }
            context.logger.error("unexpected error", metadata: errorMetadata(error))
            return renderer.response(for: .internalError, request: request)
        }
    }
}

/// The log line of a request answered 503 for the database: a warning while a host is away (it
/// comes back by itself, or fails over), an error when the database is out of disk or memory
/// (it stays so until an operator acts).
func logDatabaseUnavailable(_ error: any Error, _ logger: Logger) {
    if error.isDatabaseOutOfResources {
        logger.error("database out of disk space or memory", metadata: errorMetadata(error))
    } else {
        logger.warning("database unavailable", metadata: errorMetadata(error))
    }
}

/// What a log line may say of an unexpected error: its type and, for a database error, the
/// SQLSTATE and the server's message (never the DETAIL, which can quote row values).
func errorMetadata(_ error: any Error) -> Logger.Metadata {
    var metadata: Logger.Metadata = ["error": .string(String(describing: type(of: error)))]
    if let error = error as? PSQLError {
        metadata["sql_state"] = error.serverInfo?[.sqlState].map { .string($0) }
        metadata["message"] = error.serverInfo?[.message].map { .string($0) }
    }
    return metadata
}
