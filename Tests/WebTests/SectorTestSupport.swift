import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Tenancy
import TestSupport

/// A département administrator signed in on their département's host.
func signedInDepartementAdmin(_ world: TestWorld, _ tenant: Tenant, _ app: LiveApp) async throws -> Browser {
    let chief = try await world.makeAgent(in: tenant, role: .deptAdmin, organisation: nil)
    let totp = try await world.enrolSecondFactor(chief, in: tenant)
    let browser = Browser(app: app, host: "\(tenant.slug).rdv.test")
    try await browser.signIn(chief.email, totp: totp)
    return browser
}

/// Posts the import form as `multipart/form-data`, as a browser sends a file field, with the
/// browser's cookies and the CSRF token of its last page unless `csrf` is given.
func uploadZones(_ browser: Browser, _ app: LiveApp, file: [UInt8], fields: [String: String] = [:], csrf: String? = nil) async throws -> TestClient.Response {
    try await upload(browser, app, to: "/secteurs/import", file: file, named: "zones.csv", fields: fields, csrf: csrf)
}

/// Posts a form as `multipart/form-data` with a file field `file`, as a browser does.
func upload(
    _ browser: Browser, _ app: LiveApp, to path: String, file: [UInt8], named: String, fields: [String: String] = [:], csrf: String? = nil
) async throws -> TestClient.Response {
    let boundary = "----rdv-test-\(UUID().uuidString)"
    var fields = fields
    let pageToken = await browser.csrf
    if fields["csrf"] == nil { fields["csrf"] = csrf ?? pageToken ?? "" }
    var body: [UInt8] = []
    for (name, value) in fields {
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }
    body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(named)\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
    body += file + Array("\r\n--\(boundary)--\r\n".utf8)
    var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
    let cookies = await browser.cookies
    if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
    let request = TestClient.Request(path, method: .post, authority: await browser.host, headers: headers, body: ByteBuffer(bytes: body))
    return try await TestClient.withClient(host: "127.0.0.1", port: app.port, configuration: .patient) { try await $0.execute(request) }
}

extension TestClient.Response {
    /// The id at the end of a redirect's location (`/secteurs/<id>`).
    var locationID: UUID? {
        headers[.location].flatMap { $0.split(separator: "/").last }.flatMap { UUID(uuidString: String($0)) }
    }
}
