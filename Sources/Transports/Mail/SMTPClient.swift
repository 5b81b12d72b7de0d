import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Sends one email per connection to the configured relay. Logs carry the stage, reply
/// codes and the message's idempotency key, never an address, subject or body.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    let tls: NIOSSLContext?
    let group: any EventLoopGroup
    let logger: Logger

    /// Loads the trust roots once; throws `invalidTrustRoots` when the CA file is unreadable.
    public init(
        configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "rdv.smtp")
    ) throws(SMTPError) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.logger = logger
        guard configuration.security != .plain else {
            self.tls = nil
            return
        }
        do {
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            if case .certificateFile(let path) = configuration.trustRoots {
                tlsConfiguration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            }
            self.tls = try NIOSSLContext(configuration: tlsConfiguration)
        } catch {
            throw SMTPError(.invalidTrustRoots, at: .connect)
        }
    }

    /// Delivers `email` to the relay, or throws why not (see `SMTPError.isTemporary`).
    public func send(_ email: OutgoingEmail) async throws(SMTPError) {
        // Our side's addresses (From, Reply-To) are reported at MAIL FROM, the recipient's at RCPT TO.
        for address in [email.from.address] + (email.replyTo.map { [$0.address] } ?? []) where !Self.isValid(address) {
            throw SMTPError(.invalidAddress, at: .mailFrom)
        }
        guard Self.isValid(email.to.address) else { throw SMTPError(.invalidAddress, at: .recipient) }
        let data = SMTPDotStuffing.data(MIMEWriter.message(for: email))
        var logger = self.logger
        logger[metadataKey: "smtp_host"] = "\(configuration.host)"
        logger[metadataKey: "message_key"] = "\(MIMEWriter.idempotencyKey(email.messageID))"

        let connection = try await SMTPConnection.connect(
            to: configuration, tls: configuration.security == .implicitTLS ? tls : nil, group: group
        )
        do {
            try await SMTPDialogue(connection: connection, configuration: configuration, tls: tls, logger: logger)
                .deliver(from: email.from.address, to: email.to.address, data: data)
        } catch {
            logger.info("SMTP send failed", metadata: ["stage": "\(error.stage)", "temporary": "\(error.isTemporary)"])
            await connection.close()
            throw error
        }
        // The message is accepted: a failed QUIT changes nothing for it.
        _ = try? await connection.command("QUIT", at: .endOfData)
        await connection.close()
        logger.info("SMTP message accepted")
    }

    /// What may stand between `<` and `>` in MAIL FROM and RCPT TO: printable ASCII without
    /// spaces or brackets, one `@` with something on each side.
    static func isValid(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && address.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !"<>()[]\\,;:\"".unicodeScalars.contains($0) }
    }
}
