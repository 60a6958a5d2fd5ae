import NIOCore
import NIOHTTP1

/// What the HTTP-types request Hummingbird routes on cannot carry: the request's HTTP
/// version and the interim `100 Continue`. Sits between NIO's HTTP/1 decoder and
/// Hummingbird's conversion to HTTP types, where the version is still known.
///
/// - An HTTP/1.0 request is answered `HTTP/1.0`; without `Connection: keep-alive` the
///   connection is closed after the answer (HTTP/1.0's default), instead of being held
///   until the idle timeout by a server that takes every request for HTTP/1.1. With it, the
///   answer says `Connection: keep-alive`, as HTTP/1.0 clients need to hear.
/// - `Expect: 100-continue` on an HTTP/1.1 request is answered `100 Continue` at once, so a
///   client waiting for it (curl waits a second) sends its body. Not when the declared body
///   is over the cap: the final 413 comes instead, and the client need not send it. Other
///   expectations are answered 417 by ``APIMiddleware``.
final class HTTP1VersionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// How each request read and not yet answered is to be answered, oldest first (HTTP/1
    /// answers in order). nil: as Hummingbird writes it (HTTP/1.1).
    private var pending: [HTTP10Answer?] = []

    private struct HTTP10Answer {
        let keepAlive: Bool
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        if head.version == .http1_0 {
            let keepAlive = head.isKeepAlive
            // Hummingbird ends the connection after a request that says `close`.
            if !keepAlive { head.headers.replaceOrAdd(name: "connection", value: "close") }
            pending.append(HTTP10Answer(keepAlive: keepAlive))
        } else {
            pending.append(nil)
            if head.version.major == 1, Self.expectsContinue(head), !Self.declaresOversizedBody(head) {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))))
                    .whenFailure { _ in }
            }
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            guard let answer = pending.first ?? nil else { break }
            head.version = .http1_0
            head.headers.replaceOrAdd(name: "connection", value: answer.keepAlive ? "keep-alive" : "close")
            context.write(wrapOutboundOut(.head(head)), promise: promise)
            return
        case .end:
            if !pending.isEmpty { pending.removeFirst() }
        default:
            break
        }
        context.write(data, promise: promise)
    }

    private static func expectsContinue(_ head: HTTPRequestHead) -> Bool {
        head.headers["expect"].contains { $0.lowercased() == "100-continue" }
    }

    private static func declaresOversizedBody(_ head: HTTPRequestHead) -> Bool {
        head.headers["content-length"].contains { (Int($0) ?? 0) > APIMiddleware.maxBodyBytes }
    }

    /// Placed in Hummingbird's pipeline through its additional handlers, which come after the
    /// HTTP-types conversion: on being added, it puts the version handler right after NIO's
    /// request decoder, then passes everything through.
    final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = Any

        func handlerAdded(context: ChannelHandlerContext) {
            let pipeline = context.pipeline.syncOperations
            guard let decoder = try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) else {
                preconditionFailure("HTTP/1 pipeline without NIO's request decoder")
            }
            try! pipeline.addHandler(HTTP1VersionHandler(), position: .after(decoder))
        }
    }
}
