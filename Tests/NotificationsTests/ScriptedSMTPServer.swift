import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// An SMTP server that answers from a script: the first reply as greeting, then one per
/// command (or per message after a 354), then it hangs up. For what a real server will not
/// do on demand: no EHLO, a 421 greeting, bytes slipped in after STARTTLS, silence after DATA.
struct ScriptedSMTPServer {
    let port: Int
    /// Command lines received, in order (the message itself as one "<message>" entry).
    let commands: NIOLockedValueBox<[String]>

    static func run<T>(_ replies: [String], _ body: (ScriptedSMTPServer) async throws -> T) async throws -> T {
        let commands = NIOLockedValueBox<[String]>([])
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptHandler(replies: replies, commands: commands))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            let result = try await body(ScriptedSMTPServer(port: channel.localAddress!.port!, commands: commands))
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }
}

private final class ScriptHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var replies: ArraySlice<String>
    let commands: NIOLockedValueBox<[String]>
    var received: [UInt8] = []
    var inMessage = false

    init(replies: [String], commands: NIOLockedValueBox<[String]>) {
        self.replies = replies[...]
        self.commands = commands
    }

    func channelActive(context: ChannelHandlerContext) {
        answer(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytesView
        while let end = firstRange(of: Array((inMessage ? "\r\n.\r\n" : "\r\n").utf8)) {
            let line = String(decoding: received[..<end.lowerBound], as: UTF8.self)
            received.removeSubrange(..<end.upperBound)
            commands.withLockedValue { $0.append(inMessage ? "<message>" : line) }
            inMessage = false
            answer(context)
        }
    }

    func answer(_ context: ChannelHandlerContext) {
        guard let reply = replies.popFirst() else {
            context.close(promise: nil)
            return
        }
        inMessage = reply.hasPrefix("354")
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: reply + "\r\n")), promise: nil)
    }

    func firstRange(of marker: [UInt8]) -> Range<Int>? {
        guard received.count >= marker.count else { return nil }
        return (0...(received.count - marker.count)).lazy.map { $0..<($0 + marker.count) }.first { Array(self.received[$0]) == marker }
    }
}
