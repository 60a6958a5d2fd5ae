import Hummingbird
import NIOCore

/// Every error a client can see, and the one place that renders the contract's error body.
///
/// Handlers throw it; the middleware turns anything else into `.internalError` after
/// logging it, so no internal detail (SQL, paths, traces) reaches a client.
public struct APIError: HTTPResponseError, Equatable {
    public let status: HTTPResponse.Status
    /// Value of `Allow` for 405.
    public let allow: String?
    /// Seconds for `Retry-After` (429, 503).
    public let retryAfter: Int?

    private init(_ status: HTTPResponse.Status, allow: String? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.allow = allow
        self.retryAfter = retryAfter
    }

    public static let badRequest = APIError(.badRequest)
    public static let unauthorized = APIError(.unauthorized)
    public static let notFound = APIError(.notFound)
    public static let contentTooLarge = APIError(.contentTooLarge)
    public static let headersTooLarge = APIError(.requestHeaderFieldsTooLarge)
    /// An `Expect` other than `100-continue` (RFC 9110 §10.1.1).
    public static let expectationFailed = APIError(.expectationFailed)
    public static let internalError = APIError(.internalServerError)

    public static func methodNotAllowed(allow: [HTTPRequest.Method]) -> APIError {
        APIError(.methodNotAllowed, allow: allow.map(\.rawValue).joined(separator: ", "))
    }

    public static func tooManyRequests(retryAfter seconds: Int) -> APIError {
        APIError(.tooManyRequests, retryAfter: seconds)
    }

    /// The server is shedding load (the hashing queue is full).
    public static let unavailable = APIError(.serviceUnavailable, retryAfter: 1)

    /// Reason phrases as Go's `http.StatusText` gives them: the API authd replaces is a Go
    /// service and its clients have seen these strings.
    public var description: String {
        switch status.code {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 413: return "Request Entity Too Large"
        case 417: return "Expectation Failed"
        case 431: return "Request Header Fields Too Large"
        case 429: return "Too Many Requests"
        case 503: return "Service Unavailable"
        default: return "Internal Server Error"
        }
    }

    /// Maps the authenticator's domain failures onto the contract: the one place that
    /// decides which status a refused attempt gets.
    public init(_ failure: AuthFailure) {
        switch failure.kind {
        case .invalidCredentials: self = .unauthorized
        case .throttled(let seconds): self = .tooManyRequests(retryAfter: seconds)
        case .overloaded: self = .unavailable
        }
    }

    /// Maps Hummingbird's own errors (e.g. a body over the limit) onto the contract.
    public init(_ error: HTTPError) {
        switch error.status {
        case .badRequest: self = .badRequest
        case .contentTooLarge: self = .contentTooLarge
        case .notFound: self = .notFound
        default: self = .internalError
        }
    }

    /// Maps a failure to read a request body onto the contract: a body over the cap is 413,
    /// anything else (broken chunk framing, an unknown transfer coding, a connection cut
    /// mid-body) is the client's malformed request, 400 — never the 500 of an unknown error.
    public init(readingBody error: any Error) {
        switch error {
        case is NIOTooManyBytesError: self = .contentTooLarge
        case let error as HTTPError where error.status == .contentTooLarge: self = .contentTooLarge
        default: self = .badRequest
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        if let allow { headers[.allow] = allow }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return JSONResponse.make(
            status: status, body: WireBody.error(status: Int(status.code), description: description),
            headers: headers)
    }
}

/// Responses with the contract's JSON content type.
public enum JSONResponse {
    public static func make(status: HTTPResponse.Status, body: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
