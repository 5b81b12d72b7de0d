import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import Webhooks

/// Posts webhooks over HTTP(S): no redirect followed (a 3xx is a failed attempt, so a receiver
/// cannot bounce us onto an internal address), 10 s for the whole exchange, and no more than
/// 1 KiB of the answer read.
public struct WebhookHTTPTransport: WebhookTransport {
    /// A client of its own: the shared one follows redirects.
    public static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(10)),
            decompression: .disabled
        )
    )

    let client: HTTPClient
    let timeout: TimeAmount

    public init(client: HTTPClient = WebhookHTTPTransport.client, timeout: TimeAmount = .seconds(10)) {
        self.client = client
        self.timeout = timeout
    }

    public func post(_ request: WebhookRequest) async -> WebhookResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = .POST
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) { outgoing.headers.add(name: name, value: value) }
        outgoing.body = .bytes(ByteBuffer(data: request.body))
        let started = ContinuousClock.now
        func elapsed() -> TimeInterval {
            let duration = ContinuousClock.now - started
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        do {
            let response = try await client.execute(outgoing, timeout: timeout)
            var excerpt = ByteBuffer()
            for try await var chunk in response.body {
                let room = WebhookResponse.excerptLimit - excerpt.readableBytes
                if room <= 0 { break }
                if var part = chunk.readSlice(length: min(room, chunk.readableBytes)) { excerpt.writeBuffer(&part) }
            }
            let text = String(decoding: Data(buffer: excerpt), as: UTF8.self)
            return WebhookResponse(statusCode: Int(response.status.code), duration: elapsed(), excerpt: text)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return WebhookResponse(statusCode: nil, duration: elapsed(), error: "pas de réponse en 10 secondes")
        } catch {
            return WebhookResponse(statusCode: nil, duration: elapsed(), error: "destinataire injoignable")
        }
    }
}
