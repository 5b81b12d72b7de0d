import Foundation

/// Who a person is, as an external identity provider vouches for it.
public struct ExternalIdentity: Sendable, Hashable {
    /// The provider's stable identifier of the person (`sub`).
    public let subject: String
    public let givenName: String
    public let familyName: String
    public let email: String?
    public let birthDate: String?

    public init(subject: String, givenName: String, familyName: String, email: String?, birthDate: String?) {
        self.subject = subject
        self.givenName = givenName
        self.familyName = familyName
        self.email = email
        self.birthDate = birthDate
    }
}

/// The seam for signing usagers in through an OpenID Connect provider such as FranceConnect
/// (not built yet). The booking flow and the usager space only need an `ExternalIdentity` once
/// the person comes back; a provider sends them away with `authorizationURL` and turns the
/// returned code into an identity, checking the state, the nonce and the token's signature.
public protocol ExternalIdentityProvider: Sendable {
    /// Shown on the sign-in button ("FranceConnect").
    var name: String { get }
    func authorizationURL(state: String, nonce: String, redirectURI: String) -> URL
    func identity(code: String, nonce: String, redirectURI: String) async throws -> ExternalIdentity
}
