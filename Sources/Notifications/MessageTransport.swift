import Foundation

/// Delivers messages of one channel.
public protocol MessageTransport: Sendable {
    func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome
}

/// Development's transport: the message counts as sent and stays readable in the département's
/// development mailbox. Nothing leaves the machine.
public struct SandboxTransport: MessageTransport {
    public init() {}

    public func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome {
        .sent(providerReference: "sandbox-\(message.id.uuidString.lowercased())")
    }
}
