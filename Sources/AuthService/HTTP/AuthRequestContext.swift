import Hummingbird
import NIOCore

/// Per-request context: Hummingbird's core storage plus the socket peer, which the client
/// address (audit, throttling) starts from.
public struct AuthRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The socket peer's IP address; empty when unknown (router tests).
    public let peerAddress: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress ?? ""
    }

    /// Bodies are ignored by every route; anything larger is refused, never buffered.
    public var maxUploadSize: Int { APIMiddleware.maxBodyBytes }
}
