import Agenda
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Web

/// A feature's error reaches people as a French page and programs as RFC 9457 problem+json,
/// with the status of its refusal, without any route catching it.
@Suite struct DomainErrorMappingTests {
    func application() async throws -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: ErrorMiddleware(renderer: ErrorRenderer(pages: try await Pages.load())))
        router.get("/pris") { _, _ -> Response in throw BookingError.slotTaken }
        router.get("/archive") { _, _ -> Response in throw BookingError.motifUnavailable }
        router.get("/absent") { _, _ -> Response in throw BookingError.rdvNotFound }
        return Application(router: router)
    }

    @Test func eachRefusalHasItsStatusAndFrenchWords() async throws {
        try await application().test(.router) { client in
            let taken = try await client.execute(uri: "/pris", method: .get)
            #expect(taken.status == .conflict)
            #expect(String(buffer: taken.body).contains("Ce créneau vient d’être pris"))
            #expect(taken.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(try await client.execute(uri: "/archive", method: .get).status == .gone)
            #expect(try await client.execute(uri: "/absent", method: .get).status == .notFound)
        }
    }

    @Test func programsReceiveProblemDetails() async throws {
        try await application().test(.router) { client in
            let response = try await client.execute(uri: "/pris", method: .get, headers: [.accept: "application/problem+json"])
            #expect(response.status == .conflict)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect(problem["status"] as? Int == 409)
            #expect(problem["title"] as? String == "Créneau déjà pris")
            #expect((problem["detail"] as? String)?.contains("Choisissez-en un autre") == true)
        }
    }
}
