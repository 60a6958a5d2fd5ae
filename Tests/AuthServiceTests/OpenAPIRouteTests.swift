import AuthStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import AuthService

/// `docs/openapi.yaml` and the server agree on what it answers: every route and method the
/// server has is described, and every described one exists. The description is read from
/// the file; the server's side comes from its routers and from asking the running
/// application, never from a second list kept by hand.
@Suite struct OpenAPIRouteTests {
    /// The description's operations, as `METHOD /path`.
    static func describedOperations() throws -> Set<String> {
        let text = try String(contentsOf: OpenAPIPaths.descriptionFile, encoding: .utf8)
        let paths = OpenAPIPaths.read(text)
        return Set(paths.flatMap { path, methods in methods.map { "\($0) \(path)" } })
    }

    @Test func theReaderFindsTheDescriptionsPaths() throws {
        // Guards the reader itself: a file it could not read would otherwise compare as empty.
        let text = try String(contentsOf: OpenAPIPaths.descriptionFile, encoding: .utf8)
        #expect(OpenAPIPaths.read(text)[AuthRoutes.healthPath] == ["GET"])
    }

    /// Both listeners together: the API router as `--metrics-on-api-port` builds it (every
    /// route it can have) and the `--metrics-port` listener's router.
    @Test func everyRouteIsDescribedAndEveryDescribedOperationIsARoute() async throws {
        let app = try await TestApp()
        let authenticator = Authenticator(
            store: app.store, hasher: PasswordHasher(iterations: TestApp.iterations), pool: app.pool,
            policy: SessionPolicy(),
            refusals: RefusalAuditor(policy: RefusalAuditPolicy(), store: app.store, logger: Logger(label: "test")))
        let endpoint = MetricsEndpoint(registry: app.registry, metrics: app.metrics, store: app.store, pool: app.pool)
        let apiRouter = AuthRoutes(
            authenticator: authenticator, addresses: ClientAddressResolver(trustedProxies: []),
            metricsEndpoint: endpoint
        ).router()
        // `GET /metrics` is on both when both are asked for; the union is what the server answers.
        let served = Set(apiRouter.routes.map(\.description) + endpoint.router().routes.map(\.description))
        await app.close()

        let described = try Self.describedOperations()
        #expect(served.subtracting(described).isEmpty, "routes missing from docs/openapi.yaml")
        #expect(described.subtracting(served).isEmpty, "operations in docs/openapi.yaml the server does not have")
    }

    /// What the running application answers, which its middleware decides from its own
    /// table: on every described path, a described method reaches its handler and any
    /// other is 405 with exactly the described methods in `Allow`.
    @Test func everyDescribedPathAnswersExactlyItsDescribedMethods() async throws {
        let text = try String(contentsOf: OpenAPIPaths.descriptionFile, encoding: .utf8)
        let paths = OpenAPIPaths.read(text)
        let probes: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .patch, .options, .trace]
        try await TestApp().test { client in
            for (path, methods) in paths {
                for method in probes {
                    let response = try await client.execute(uri: path, method: method)
                    if methods.contains(method.rawValue) {
                        #expect(
                            response.status != .methodNotAllowed && response.status != .notFound,
                            "\(method) \(path) is described but answered \(response.status.code)")
                    } else {
                        #expect(response.status == .methodNotAllowed, "\(method) \(path): \(response.status.code)")
                        let allow = response.headers[.allow]?.split(separator: ",").map {
                            $0.trimmingCharacters(in: .whitespaces)
                        }
                        #expect(Set(allow ?? []) == methods, "Allow on \(path)")
                    }
                }
            }
        }
    }
}
