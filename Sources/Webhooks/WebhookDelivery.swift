import Foundation

/// One event on its way to one endpoint, as the worker holds it.
public struct WebhookDelivery: Sendable, Hashable, Identifiable {
    /// Also the `webhook-id` header: the same on every retry, so receivers can drop duplicates.
    public let id: UUID
    public let endpointID: UUID
    public let model: WebhookModel
    public let record: String
    public let event: WebhookEvent
    public let reason: String?
    /// Attempts so far, this one included.
    public let attempts: Int
    /// The body as rendered when first claimed; retries post the same bytes.
    public let body: String
    public let capturedAt: Date
}

/// What the receiver answered (or why it could not).
public struct WebhookResponse: Sendable, Hashable {
    public var statusCode: Int?
    public var duration: TimeInterval
    /// At most 1 KiB of the answer's body.
    public var excerpt: String
    /// Why no answer came (timeout, refused connection, refused address…), in French.
    public var error: String?

    public init(statusCode: Int?, duration: TimeInterval, excerpt: String = "", error: String? = nil) {
        self.statusCode = statusCode
        self.duration = duration
        self.excerpt = Self.truncated(excerpt)
        self.error = error
    }

    public static let excerptLimit = 1024

    /// Cuts at a character boundary under the limit.
    public static func truncated(_ text: String) -> String {
        guard text.utf8.count > excerptLimit else { return text }
        var cut = ""
        for character in text {
            if cut.utf8.count + String(character).utf8.count > excerptLimit { break }
            cut.append(character)
        }
        return cut
    }
}

/// A signed POST to make.
public struct WebhookRequest: Sendable, Hashable {
    public let url: String
    public let headers: [String: String]
    public let body: Data
}

/// Posts webhook requests: the executable passes the HTTP one (module Transports), with no
/// redirects followed, a 10 s timeout and the answer read up to 1 KiB.
public protocol WebhookTransport: Sendable {
    func post(_ request: WebhookRequest) async -> WebhookResponse
}
