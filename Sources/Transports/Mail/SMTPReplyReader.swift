import NIOCore

/// The last handler of an SMTP channel: turns bytes into replies and hands each to whoever
/// waits for it. Replies that come before anyone asks are kept in order; an error or the end
/// of the connection is kept for every later ask. Used on its event loop only.
final class SMTPReplyReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    struct Closed: Error {}
    struct TimedOut: Error {}

    private var parser = SMTPReplyParser()
    private var received = CircularBuffer<SMTPReply>()
    /// The first error or end of connection seen; every later ask gets it.
    private(set) var failure: (any Error)?
    private var waiting: EventLoopPromise<SMTPReply>?

    /// True when the server sent more than the replies asked for so far (RFC 3207 §5: after
    /// STARTTLS, anything already buffered would be trusted as if it came over TLS).
    var hasUnreadInput: Bool { !received.isEmpty || parser.hasPartialInput }

    func nextReply(on eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        if let reply = received.popFirst() { return eventLoop.makeSucceededFuture(reply) }
        if let failure { return eventLoop.makeFailedFuture(failure) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiting = promise
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        do {
            for reply in try parser.replies(from: bytes.readableBytesView) {
                if let promise = waiting {
                    waiting = nil
                    promise.succeed(reply)
                } else {
                    received.append(reply)
                }
            }
        } catch {
            fail(error)
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(Closed())
        context.fireChannelInactive()
    }

    /// Ends the wait in progress; the first failure is the one every later ask gets.
    func fail(_ error: any Error) {
        if failure == nil { failure = error }
        if let promise = waiting {
            waiting = nil
            promise.fail(failure ?? error)
        }
    }
}
