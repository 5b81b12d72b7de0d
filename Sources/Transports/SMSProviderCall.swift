import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import Notifications

/// What SMS providers over HTTP have in common: 2xx is sent (the provider's id read from
/// `idField`), 429 and 5xx or no answer in time mean the provider is unavailable (the worker
/// retries later and rests the channel), other answers are refusals for good.
enum SMSProviderCall {
    static func send(_ request: HTTPClientRequest, client: HTTPClient, timeout: TimeAmount, idField: String, fallbackReference: String) async -> DeliveryOutcome {
        do {
            let response = try await client.execute(request, timeout: timeout)
            let answer = try await response.body.collect(upTo: 64 * 1024)
            switch response.status.code {
            case 200..<300:
                let json = (try? JSONSerialization.jsonObject(with: Data(buffer: answer))) as? [String: Any]
                return .sent(providerReference: json?[idField].map { "\($0)" } ?? fallbackReference)
            case 429, 500..<600:
                return .unavailable("fournisseur SMS : HTTP \(response.status.code)")
            default:
                return .permanentFailure("fournisseur SMS : HTTP \(response.status.code)")
            }
        } catch {
            return .unavailable("fournisseur SMS injoignable")
        }
    }
}
