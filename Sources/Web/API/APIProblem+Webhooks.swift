import Foundation
import Webhooks

extension APIProblem {
    /// A refusal of the webhook use cases, with a stable code; a field filled in wrong (the
    /// target URL among them, whatever the policy found) is a 422 naming that field.
    init(webhook error: WebhookError) {
        switch error {
        case .notFound:
            self.init(.notFound, code: "not_found", title: error.title, detail: error.french)
        case .forbidden:
            self.init(.forbidden, code: "forbidden", title: error.title, detail: error.french)
        case .noModel:
            self = .field("models", code: "no_model", title: error.title, error.french)
        case .unknownOrganisation:
            self = .field("organisation_id", code: "unknown_organisation", title: error.title, error.french)
        case .descriptionTooLong:
            self = .field("description", code: "description_too_long", title: error.title, error.french)
        case .target(let refusal):
            let code = switch refusal {
            case .malformed: "url_malformed"
            case .httpsRequired: "url_https_required"
            case .unresolvable: "url_unresolvable"
            case .refusedAddress: "url_refused_address"
            }
            self = .field("url", code: code, title: refusal.title, refusal.french)
        }
    }

    /// A 422 about one field, under its own code.
    private static func field(_ name: String, code: String, title: String, _ detail: String) -> APIProblem {
        APIProblem(.unprocessableContent, code: code, title: title, detail: detail, errors: [.init(field: name, detail: detail)])
    }
}
