import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request that NIO's HTTP parser could not read with the contract's error body,
/// then closes the connection.
///
/// Such requests never reach the router: headers over the parser's own 80 KiB limit, a
/// malformed request line, bytes that are not HTTP. Hummingbird would answer them with an
/// empty 400; clients of this API expect the JSON error body for every status. Headers too
/// large get 431 (as the middleware answers below that limit), anything else 400.
///
/// A parse error that arrives while a request is still being answered (garbage pipelined
/// after it) is left to Hummingbird, which closes the connection: writing a second
/// response there would interleave with the first.
final class ParseErrorResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let logger: Logger
    /// Request heads read minus responses finished.
    private var requestsInFlight = 0

    init(logger: Logger) {
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { requestsInFlight += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { requestsInFlight -= 1 }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, requestsInFlight == 0 else {
            context.fireErrorCaught(error)
            return
        }
        let apiError: APIError = parserError == .headerOverflow ? .headersTooLarge : .badRequest
        let requestID = RequestID().description
        let body = ByteBuffer(
            string: WireBody.error(status: Int(apiError.status.code), description: apiError.description))
        var head = HTTPResponse(status: apiError.status)
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        head.headerFields[.contentLength] = String(body.readableBytes)
        head.headerFields[.connection] = "close"
        head.headerFields[.requestID] = requestID
        logger.info(
            "unparseable request",
            metadata: [
                "status": "\(apiError.status.code)", "error": "\(parserError)", "request_id": "\(requestID)",
                "peer": "\(context.channel.remoteAddress?.ipAddress ?? "")",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
