import Foundation
import Hummingbird
import Identity
import Notifications
import Tenancy

/// What the identity pages share: hashing, policy, sign-in, CSRF, cookie names.
struct IdentityServices: Sendable {
    let hasher: PasswordHasher
    let policy: PasswordPolicy
    let signIn: SignInService
    let csrf: CSRFProtection
    let secondFactor: SecondFactor
    let configuration: AppConfiguration

    init(configuration: AppConfiguration, hasher: PasswordHasher = PasswordHasher()) throws {
        self.hasher = hasher
        self.policy = .standard
        self.signIn = try SignInService(hasher: hasher)
        self.csrf = CSRFProtection(secret: configuration.secretKey)
        self.secondFactor = SecondFactor(secret: configuration.secretKey)
        self.configuration = configuration
    }

    /// `__Host-` names when served over TLS: the browser then refuses them without Secure, with a
    /// Domain or on another path, so no sibling host can plant or widen them.
    var sessionCookieName: String { configuration.isSecure ? "__Host-rdv_session" : "rdv_session" }
    var formCookieName: String { configuration.isSecure ? "__Host-rdv_form" : "rdv_form" }
    /// Usagers have a cookie of their own: one browser may hold an agent's and a usager's session.
    var usagerCookieName: String { configuration.isSecure ? "__Host-rdv_usager" : "rdv_usager" }

    func cookie(_ name: String, value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: configuration.isSecure, httpOnly: true, sameSite: .lax)
    }

    func expiredCookie(_ name: String) -> Cookie {
        cookie(name, value: "", maxAge: 0)
    }
}

extension IdentityServices {
    /// The département's public address and manage links, for the messages about appointments.
    func noticeLinks(_ tenant: Tenant) -> NoticeLinks {
        NoticeLinks(secret: configuration.secretKey, publicURL: configuration.publicURL(slug: tenant.slug), scope: tenant.schemaName)
    }
}
