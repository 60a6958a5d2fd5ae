import AuthStore
import Foundation
import Hummingbird

/// The HTTP API of docs/api.md: login, logout (Bearer and Basic), verify, and health.
public struct AuthRoutes: Sendable {
    public static let loginPath = "/directlink/v1/auth/login"
    public static let logoutPath = "/directlink/v1/auth/logout"
    public static let verifyPath = "/directlink/v1/auth/verify"
    public static let healthPath = "/healthz"

    /// The literal success descriptions deployed clients compare (misspelt on purpose).
    static let loginDescription = "handlerAuthLogin:succsessfully"
    static let logoutDescription = "handlerAuthLogout:succsessfully"
    static let verifyDescription = "handlerAuthVerify:successfully"

    /// User agents are stored in the audit log; cap what one client can make us keep.
    static let maxUserAgentBytes = 512

    let authenticator: Authenticator
    let addresses: ClientAddressResolver
    let readiness: Readiness
    /// How long a write may wait for the database writer before `/healthz` says 503.
    let writerStallLimit: Duration
    /// Served on this router when set; nil when metrics have a port of their own.
    let metricsEndpoint: MetricsEndpoint?

    public init(
        authenticator: Authenticator, addresses: ClientAddressResolver, readiness: Readiness = Readiness(),
        writerStallLimit: Duration = .seconds(5), metricsEndpoint: MetricsEndpoint? = nil
    ) {
        self.authenticator = authenticator
        self.addresses = addresses
        self.readiness = readiness
        self.writerStallLimit = writerStallLimit
        self.metricsEndpoint = metricsEndpoint
    }

    /// A router with every route and the API middleware in front.
    public func router() -> Router<AuthRequestContext> {
        let router = Router(context: AuthRequestContext.self)
        var routes: [String: [HTTPRequest.Method]] = [
            Self.loginPath: [.post], Self.logoutPath: [.post], Self.verifyPath: [.get], Self.healthPath: [.get],
        ]
        if metricsEndpoint != nil { routes[MetricsEndpoint.path] = [.get] }
        router.add(middleware: APIMiddleware(routes: routes, metrics: authenticator.metrics, addresses: addresses))
        router.post(RouterPath(Self.loginPath)) { request, context in try await login(request, context) }
        router.post(RouterPath(Self.logoutPath)) { request, context in try await logout(request, context) }
        router.get(RouterPath(Self.verifyPath)) { request, context in try await verify(request, context) }
        router.get(RouterPath(Self.healthPath)) { _, context in try await health(context) }
        if let metricsEndpoint {
            router.get(RouterPath(MetricsEndpoint.path)) { _, _ in await metricsEndpoint.response() }
        }
        return router
    }

    // MARK: Handlers

    private func login(_ request: Request, _ context: AuthRequestContext) async throws -> Response {
        let audit = auditContext(request, context)
        let credentials = try await parsePost(request, event: .login, audit: audit)
        guard case .basic(let username, let password) = credentials else {
            try await authenticator.recordMalformed(.login, context: audit)
            throw APIError.badRequest
        }
        let result = try await authenticator.login(username: username, password: password, context: audit)
        return JSONResponse.make(
            status: .ok,
            body: WireBody.success(
                description: Self.loginDescription, user: result.username, bearer: result.token))
    }

    private func logout(_ request: Request, _ context: AuthRequestContext) async throws -> Response {
        let audit = auditContext(request, context)
        switch try await parsePost(request, event: .logout, audit: audit) {
        case .bearer(let token):
            let username = try await authenticator.logout(token: token, context: audit)
            return JSONResponse.make(
                status: .ok,
                body: WireBody.success(
                    description: Self.logoutDescription, user: username, bearer: ""))
        case .basic(let username, let password):
            let name = try await authenticator.logoutEverywhere(username: username, password: password, context: audit)
            return JSONResponse.make(
                status: .ok,
                body: WireBody.success(
                    description: Self.logoutDescription, user: name, bearer: "", urllink: authenticator.logoutURL))
        }
    }

    /// For reverse proxies: anything but a valid bearer token is 401 (nginx `auth_request`
    /// treats every other status as a server error).
    private func verify(_ request: Request, _ context: AuthRequestContext) async throws -> Response {
        let audit = auditContext(request, context)
        guard case .bearer(let token)? = try? Credentials.parse(request.headers[.authorization]) else {
            try await authenticator.recordMalformed(.verify, context: audit)
            throw APIError.unauthorized
        }
        let username = try await authenticator.verify(token: token, context: audit)
        var response = JSONResponse.make(
            status: .ok,
            body: WireBody.success(
                description: Self.verifyDescription, user: username, bearer: ""))
        response.headers[.authUser] = username
        return response
    }

    /// 200 with the contract's body while the database answers and takes writes and the
    /// server is not shutting down; 503 otherwise. Reads alone are not enough: on a full disk
    /// every login fails while reads still work. The schema version (newest applied
    /// migration) goes in a header, since the contract fixes the body.
    private func health(_ context: AuthRequestContext) async throws -> Response {
        guard !readiness.isShuttingDown else { throw APIError.unavailable }
        if let problem = authenticator.store.writerHealth().problem(at: .now, stallLimit: writerStallLimit) {
            context.logger.warning("/healthz: \(problem)")
            throw APIError.unavailable
        }
        let version: Int
        do {
            version = try await authenticator.store.ping()
        } catch {
            throw APIError.unavailable
        }
        // Another replica ran a newer authd's migrations: this binary may no longer write
        // what the schema expects. Draining it is the rolling upgrade's next step.
        guard version <= authenticator.store.knownSchemaVersion else {
            context.logger.warning(
                "/healthz: database schema \(version) is newer than this authd knows (\(authenticator.store.knownSchemaVersion)); upgrade this replica")
            throw APIError.unavailable
        }
        return JSONResponse.make(status: .ok, body: #"{"status":"ok"}"#, headers: [.schemaVersion: String(version)])
    }

    // MARK: Request parsing

    /// Reads (bounded) and discards the body, checks `Content-Type`, parses `Authorization`.
    /// A malformed request is audited as `malformed` and answered 400; a body that cannot be
    /// read (over the cap once de-chunked, or framed wrongly) is malformed too.
    private func parsePost(_ request: Request, event: AuditEvent, audit: AuditContext) async throws -> Credentials {
        var request = request
        do {
            _ = try await request.collectBody(upTo: APIMiddleware.maxBodyBytes)
        } catch {
            try await authenticator.recordMalformed(event, context: audit)
            throw APIError(readingBody: error)
        }
        do {
            guard Self.isAcceptedContentType(request.headers[.contentType]) else {
                throw Credentials.ParseError.missing
            }
            return try Credentials.parse(request.headers[.authorization])
        } catch {
            try await authenticator.recordMalformed(event, context: audit)
            throw APIError.badRequest
        }
    }

    /// Absent (curl -u sends none) or `application/json` with any parameters, any case.
    static func isAcceptedContentType(_ value: String?) -> Bool {
        guard let value else { return true }
        let mediaType = value.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    /// The longest prefix of `text` that fits in `limit` UTF-8 bytes and ends on a character
    /// boundary: cutting inside a multi-byte character would give no valid string at all,
    /// and a client could blank its user agent in the audit log that way.
    static func prefix(of text: String, utf8Bytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var result = ""
        var bytes = 0
        for character in text {
            bytes += character.utf8.count
            guard bytes <= limit else { break }
            result.append(character)
        }
        return result
    }

    private func auditContext(_ request: Request, _ context: AuthRequestContext) -> AuditContext {
        let forwardedFor = request.headers[values: .forwardedFor]
        let address = addresses.resolve(peer: context.peerAddress, forwardedFor: forwardedFor)
        if let hop = addresses.invalidHop(peer: context.peerAddress, forwardedFor: forwardedFor) {
            context.logger.warning(
                "X-Forwarded-For from a trusted proxy holds a hop that is no IP address; using the proxy's address",
                metadata: ["hop": "\(String(reflecting: String(hop.prefix(64))))", "proxy": "\(context.peerAddress)"])
        }
        let agent = request.headers[.userAgent] ?? ""
        return AuditContext(
            address: address, userAgent: Self.prefix(of: agent, utf8Bytes: Self.maxUserAgentBytes),
            requestID: context.id)
    }
}
