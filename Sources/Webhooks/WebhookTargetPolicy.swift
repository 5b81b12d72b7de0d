import Foundation
import Tenancy

/// Why a target URL is refused, in words for the administrator who typed it.
public enum WebhookTargetRefusal: DomainError, Hashable {
    case malformed
    case httpsRequired
    case unresolvable
    case refusedAddress(WebhookAddressKind)

    public var refusal: Refusal { .invalid }
    public var title: String { "Adresse refusée" }
    public var french: String {
        switch self {
        case .malformed: "L’adresse du webhook s’écrit https://hôte/chemin (sans identifiant ni mot de passe)."
        case .httpsRequired: "L’adresse du webhook commence par https://."
        case .unresolvable: "Le nom de l’hôte du webhook ne se résout pas."
        case .refusedAddress(.loopback): "L’adresse du webhook désigne cette machine (boucle locale) : refusée."
        case .refusedAddress(.privateNetwork): "L’adresse du webhook est sur un réseau privé : refusée."
        case .refusedAddress(.linkLocal): "L’adresse du webhook est une adresse de lien local : refusée."
        case .refusedAddress(.metadata): "L’adresse du webhook est celle des métadonnées de l’hébergeur : refusée."
        case .refusedAddress: "L’adresse du webhook ne peut pas recevoir de messages : refusée."
        }
    }
}

/// Which targets the platform posts to: HTTPS only in production, and never an address of
/// our own networks unless the configuration lists that kind (`RDV_WEBHOOK_ALLOWED_NETWORKS`,
/// e.g. `loopback` for tests and development). Metadata addresses are never allowed.
public struct WebhookTargetPolicy: Sendable, Hashable {
    public var requiresHTTPS: Bool
    public var allowedKinds: Set<WebhookAddressKind>

    public init(requiresHTTPS: Bool, allowedKinds: Set<WebhookAddressKind> = []) {
        self.requiresHTTPS = requiresHTTPS
        self.allowedKinds = allowedKinds.subtracting([.metadata, .unusable]).union([.publicInternet])
    }

    /// From the setting's text: a comma-separated list among loopback, private, link-local.
    public static func allowedKinds(from setting: String?) -> Set<WebhookAddressKind> {
        Set((setting ?? "").split(separator: ",").compactMap { WebhookAddressKind(rawValue: $0.trimmingCharacters(in: .whitespaces)) })
    }

    /// The URL's form alone: scheme, host, no credentials.
    public func checkForm(_ text: String) -> (url: URL, host: String)? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil, let url = components.url
        else { return nil }
        return (url, host)
    }

    /// Checks the form, then every address the host resolves to (all must be allowed, so that a
    /// name with one public and one private address is refused).
    public func check(_ text: String) async -> WebhookTargetRefusal? {
        guard let (url, host) = checkForm(text) else { return .malformed }
        if requiresHTTPS, url.scheme?.lowercased() != "https" { return .httpsRequired }
        let addresses = await WebhookAddressKind.resolve(host)
        guard !addresses.isEmpty else { return .unresolvable }
        for address in addresses {
            let kind = WebhookAddressKind.of(address) ?? .unusable
            if !allowedKinds.contains(kind) { return .refusedAddress(kind) }
        }
        return nil
    }
}
