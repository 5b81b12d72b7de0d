import Foundation
import Logging
import NIOSSL

/// The commands of one delivery, from the greeting to the reply after the final ".".
struct SMTPDialogue {
    let connection: SMTPConnection
    let configuration: SMTPConfiguration
    let tls: NIOSSLContext?
    let logger: Logger

    func deliver(from sender: String, to recipient: String, data: [UInt8]) async throws(SMTPError) {
        try expect(220, try await connection.reply(at: .greeting), at: .greeting)
        var extensions = try await hello(at: .hello)
        if configuration.security == .startTLS, let tls {
            guard extensions["STARTTLS"] != nil else { throw SMTPError(.startTLSUnavailable, at: .startTLS) }
            try expect(220, try await connection.command("STARTTLS", at: .startTLS), at: .startTLS)
            try await connection.startTLS(tls, host: configuration.host)
            // RFC 3207 §4.2: what the server offered before TLS no longer counts.
            extensions = try await hello(at: .startTLS)
        }
        if let credentials = configuration.credentials {
            try await authenticate(credentials, offered: extensions["AUTH"] ?? [])
        }
        try expect(250, try await connection.command("MAIL FROM:<\(sender)>", at: .mailFrom), at: .mailFrom)
        let accepted = try await connection.command("RCPT TO:<\(recipient)>", at: .recipient)
        try expect([250, 251], accepted, at: .recipient)
        try expect(354, try await connection.command("DATA", at: .data), at: .data)
        try await connection.write(data, at: .endOfData)
        try expect(250, try await connection.reply(at: .endOfData), at: .endOfData)
    }

    /// EHLO and the extensions it lists; HELO (no extensions) when the server does not know EHLO.
    /// The EHLO that follows STARTTLS is the first exchange over TLS, so its failures (an
    /// untrusted certificate among them) are reported at `startTLS`.
    func hello(at stage: SMTPStage) async throws(SMTPError) -> [String: [String]] {
        let reply = try await connection.command("EHLO \(configuration.heloName)", at: stage)
        if reply.code == 250 { return reply.extensions }
        guard [500, 502].contains(reply.code) else { throw rejection(reply, at: stage) }
        logger.debug("EHLO unknown, falling back to HELO")
        try expect(250, try await connection.command("HELO \(configuration.heloName)", at: stage), at: stage)
        return [:]
    }

    /// AUTH PLAIN in one step when offered, else AUTH LOGIN in three (RFC 4616, and the
    /// LOGIN exchange most relays still offer).
    func authenticate(_ credentials: SMTPConfiguration.Credentials, offered mechanisms: [String]) async throws(SMTPError) {
        if mechanisms.contains("PLAIN") {
            let token = base64("\0\(credentials.username)\0\(credentials.password)")
            try expect(235, try await connection.command("AUTH PLAIN \(token)", at: .authentication), at: .authentication)
        } else if mechanisms.contains("LOGIN") {
            try expect(334, try await connection.command("AUTH LOGIN", at: .authentication), at: .authentication)
            try expect(334, try await connection.command(base64(credentials.username), at: .authentication), at: .authentication)
            try expect(235, try await connection.command(base64(credentials.password), at: .authentication), at: .authentication)
        } else {
            throw SMTPError(.authenticationUnavailable, at: .authentication)
        }
        logger.debug("SMTP authenticated")
    }

    func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    func expect(_ code: Int, _ reply: SMTPReply, at stage: SMTPStage) throws(SMTPError) {
        try expect([code], reply, at: stage)
    }

    func expect(_ codes: Set<Int>, _ reply: SMTPReply, at stage: SMTPStage) throws(SMTPError) {
        guard codes.contains(reply.code) else { throw rejection(reply, at: stage) }
    }

    /// A reply we did not expect: a 2xx or 3xx out of place is as unusable as a refusal,
    /// and reported as a malformed exchange.
    func rejection(_ reply: SMTPReply, at stage: SMTPStage) -> SMTPError {
        logger.debug("SMTP unexpected reply", metadata: ["stage": "\(stage)", "code": "\(reply.code)"])
        guard reply.code >= 400 else { return SMTPError(.malformedReply, at: stage) }
        return SMTPError(.rejected(code: reply.code, enhancedCode: reply.enhancedCode), at: stage)
    }
}
