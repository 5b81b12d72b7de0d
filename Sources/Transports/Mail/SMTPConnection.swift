import NIOCore
import NIOPosix
import NIOSSL

/// One TCP connection to the server, spoken to one command and one reply at a time, each
/// reply awaited at most `replyTimeout`. Every failure comes out as an `SMTPError` at the
/// stage the caller names.
struct SMTPConnection: Sendable {
    let channel: any Channel
    let reader: NIOLoopBound<SMTPReplyReader>
    let replyTimeout: TimeAmount

    /// Connects, with TLS from the start when `tls` is given.
    static func connect(
        to configuration: SMTPConfiguration, tls: NIOSSLContext?, group: any EventLoopGroup
    ) async throws(SMTPError) -> SMTPConnection {
        let hostname = serverHostname(configuration.host)
        do {
            // The reader is captured here, not looked up later: a fast server's greeting (or a
            // garbled one that closes the channel) may come before anyone asks for it.
            let (channel, reader) = try await ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(configuration.connectTimeout))
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: hostname))
                        }
                        let reader = SMTPReplyReader()
                        try channel.pipeline.syncOperations.addHandler(reader)
                        return (channel, NIOLoopBound(reader, eventLoop: channel.eventLoop))
                    }
                }
            return SMTPConnection(channel: channel, reader: reader, replyTimeout: TimeAmount(configuration.replyTimeout))
        } catch {
            throw SMTPError(Self.isTimeout(error) ? .timedOut : .connectionFailed, at: .connect)
        }
    }

    /// SNI and certificate checks take a name; for an IP address NIOSSL checks the
    /// certificate against the peer's address instead, and wants no name.
    static func serverHostname(_ host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }

    static func isTimeout(_ error: any Error) -> Bool {
        if case ChannelError.connectTimeout = error { return true }
        if let error = error as? NIOConnectionError {
            return error.connectionErrors.contains { if case ChannelError.connectTimeout = $0.error { true } else { false } }
        }
        return false
    }

    /// Sends one command line and waits for its reply.
    func command(_ line: String, at stage: SMTPStage) async throws(SMTPError) -> SMTPReply {
        try await write(Array((line + "\r\n").utf8), at: stage)
        return try await reply(at: stage)
    }

    /// Sends bytes; a server that stops reading (its window full) counts as a timeout too.
    func write(_ bytes: [UInt8], at stage: SMTPStage) async throws(SMTPError) {
        let reader = self.reader
        let channel = self.channel
        let timeout = self.replyTimeout
        do {
            try await channel.eventLoop.flatSubmit {
                let written = channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
                let timer = channel.eventLoop.scheduleTask(in: timeout) {
                    reader.value.fail(SMTPReplyReader.TimedOut())
                    channel.close(promise: nil)
                }
                written.whenComplete { _ in timer.cancel() }
                return written
            }.get()
        } catch {
            // A failed write only says the channel closed; the reader saw why (a TLS alert, say).
            let cause = try? await channel.eventLoop.submit { reader.value.failure }.get()
            throw Self.smtpError(cause.flatMap { $0 } ?? error, at: stage)
        }
    }

    /// The next reply; past the timeout the connection is closed, it cannot be trusted to
    /// be in step any more.
    func reply(at stage: SMTPStage) async throws(SMTPError) -> SMTPReply {
        let reader = self.reader
        let channel = self.channel
        let timeout = self.replyTimeout
        do {
            return try await channel.eventLoop.flatSubmit {
                let reply = reader.value.nextReply(on: channel.eventLoop)
                let timer = channel.eventLoop.scheduleTask(in: timeout) {
                    reader.value.fail(SMTPReplyReader.TimedOut())
                    channel.close(promise: nil)
                }
                reply.whenComplete { _ in timer.cancel() }
                return reply
            }.get()
        } catch {
            throw Self.smtpError(error, at: stage)
        }
    }

    /// Puts TLS under the reader, right after the server's 220 to STARTTLS.
    func startTLS(_ context: NIOSSLContext, host: String) async throws(SMTPError) {
        let reader = self.reader
        let channel = self.channel
        let hostname = Self.serverHostname(host)
        do {
            try await channel.eventLoop.submit {
                // Bytes sent before the handshake are not protected by it: refuse them.
                guard !reader.value.hasUnreadInput else { throw SMTPReplyParser.Malformed() }
                try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: hostname), position: .first)
            }.get()
        } catch {
            throw Self.smtpError(error, at: .startTLS)
        }
    }

    func close() async {
        try? await channel.close().get()
    }

    static func smtpError(_ error: any Error, at stage: SMTPStage) -> SMTPError {
        switch error {
        case let error as SMTPError: error
        case is SMTPReplyReader.TimedOut: SMTPError(.timedOut, at: stage)
        case is SMTPReplyParser.Malformed: SMTPError(.malformedReply, at: stage)
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError: SMTPError(.tlsFailed, at: stage)
        default: SMTPError(.connectionClosed, at: stage)
        }
    }
}
