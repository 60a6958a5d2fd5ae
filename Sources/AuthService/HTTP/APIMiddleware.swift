import HTTPTypes
import Hummingbird
import Logging

/// Wraps every request: answers 404/405 for paths and methods the API does not have,
/// refuses oversized bodies, turns every error into the contract's body, stamps
/// `X-Request-Id`, and writes one access-log line (never with `Authorization`).
public struct APIMiddleware: RouterMiddleware {
    public typealias Context = AuthRequestContext

    /// Request bodies are ignored; a small cap keeps a client from streaming gigabytes.
    public static let maxBodyBytes = 64 * 1024
    /// Header limits, far above what any client of this API sends. (NIO's parser refuses
    /// headers over 80 KiB before they get here; `ParseErrorResponder` answers those.)
    public static let maxHeaderBytes = 16 * 1024
    public static let maxHeaderCount = 64
    /// Longest accepted request target (path and query).
    public static let maxURLBytes = 2048

    /// Known paths and their methods, for 404 versus 405 with `Allow`.
    let routes: [String: [HTTPRequest.Method]]
    /// Request durations per route.
    let metrics: AuthMetrics
    /// The client address for the access log: the same one the audit log records.
    let addresses: ClientAddressResolver

    public init(
        routes: [String: [HTTPRequest.Method]], metrics: AuthMetrics = .disabled,
        addresses: ClientAddressResolver = ClientAddressResolver(trustedProxies: [])
    ) {
        self.routes = routes
        self.metrics = metrics
        self.addresses = addresses
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws
        -> Response
    {
        let start = ContinuousClock.now
        var response: Response
        do {
            try check(request)
            response = try await next(request, context)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        } catch let failure as AuthFailure {
            response = try APIError(failure).response(from: request, context: context)
        } catch let error as HTTPError {
            response = try APIError(error).response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            response = try APIError.internalError.response(from: request, context: context)
        }
        response.headers[.requestID] = context.id
        let elapsed = ContinuousClock.now - start
        // Known paths are the route patterns (none has parameters); anything else is one
        // label value, so scanning for paths cannot create series.
        metrics.request(
            route: routes[request.uri.path] != nil ? request.uri.path : "unmatched",
            method: request.method.rawValue, status: Int(response.status.code), duration: elapsed)
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
                "status": "\(response.status.code)", "duration_ms": "\(elapsed.milliseconds)",
                "address":
                    "\(addresses.resolve(peer: context.peerAddress, forwardedFor: request.headers[values: .forwardedFor]))",
            ])
        return response
    }

    private func check(_ request: Request) throws {
        guard request.headers.count <= Self.maxHeaderCount,
            request.headers.reduce(0, { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 })
                <= Self.maxHeaderBytes
        else { throw APIError.headersTooLarge }
        guard request.uri.string.utf8.count <= Self.maxURLBytes else { throw APIError.badRequest }
        // `100-continue` is answered below Hummingbird (HTTP1VersionHandler); no other
        // expectation is one authd can meet.
        if let expect = request.headers[.expect], expect.lowercased() != "100-continue" {
            throw APIError.expectationFailed
        }
        guard let methods = routes[request.uri.path] else { throw APIError.notFound }
        guard methods.contains(request.method) else { throw APIError.methodNotAllowed(allow: methods) }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maxBodyBytes {
            throw APIError.contentTooLarge
        }
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let authUser = HTTPField.Name("X-Auth-User")!
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let schemaVersion = HTTPField.Name("X-Authd-Schema-Version")!
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
    }
}
