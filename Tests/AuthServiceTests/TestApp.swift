import AuthStore
import Dispatch
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Synchronization
import Testing

@testable import AuthService

/// A clock tests move by hand, for TTL and idle expiry without sleeping.
final class ManualClock: Sendable {
    private let current = Mutex(Timestamp(seconds: 1_800_000_000))

    var now: Timestamp { current.withLock { $0 } }

    func advance(_ duration: Duration) {
        current.withLock { $0 = $0 + duration }
    }
}

/// A temporary database with users, an application over it, and the pieces tests inspect.
struct TestApp {
    static let iterations = 1_000

    let directory: URL
    let store: SQLiteAuthStore
    let pool: HashingPool
    let clock = ManualClock()
    let readiness = Readiness()
    /// Every test app counts into its own registry, served at `/metrics`.
    let registry = PrometheusCollectorRegistry()
    let metrics: AuthMetrics
    var configuration = ServerConfiguration()

    init(
        users: [(name: String, password: String)] = [("alice", "secret")], iterations: Int = Self.iterations,
        maxQueuedHashes: Int? = nil
    ) async throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "authd-service-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        metrics = AuthMetrics(factory: AuthMetrics.prometheusFactory(registry: registry))
        store = try SQLiteAuthStore.open(
            path: directory.appending(path: "authd.sqlite").path, observer: metrics.storeObserver)
        pool = HashingPool(threads: 2, maxQueued: maxQueuedHashes)
        configuration.port = 0
        // Most tests read the counters on the API port; the default (none there) has its own test.
        configuration.metricsOnAPIPort = true
        configuration.pbkdf2Iterations = Self.iterations
        configuration.logoutURL = "https://example.com/bye"
        let hasher = PasswordHasher(iterations: iterations)
        for user in users {
            try await store.addUser(
                name: user.name, passwordHash: hasher.hash(user.password), at: clock.now,
                context: .commandLine)
        }
    }

    /// Runs `body` against the application (router-level by default), then `afterShutdown`
    /// once the application has stopped (with the store still open), and tears down.
    func test(
        _ setup: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> Void,
        afterShutdown: (SQLiteAuthStore) async throws -> Void = { _ in }
    ) async throws {
        var logger = Logger(label: "authd-test")
        logger.logLevel = .warning
        let clock = self.clock
        let app = AuthServer.application(
            configuration: configuration, store: store, pool: pool, logger: logger,
            clock: { clock.now }, readiness: readiness, metrics: metrics,
            metricsEndpoint: MetricsEndpoint(
                registry: registry, metrics: metrics, store: store, pool: pool, clock: { clock.now }))
        do {
            try await app.test(setup, body)
            try await afterShutdown(store)
        } catch {
            await close()
            throw error
        }
        await close()
    }

    /// Runs `body` against the separate `--metrics-port` listener, live on 127.0.0.1.
    func testMetricsListener(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var logger = Logger(label: "authd-test")
        logger.logLevel = .warning
        let app = AuthServer.metricsApplication(
            endpoint: MetricsEndpoint(registry: registry, metrics: metrics, store: store, pool: pool),
            host: "127.0.0.1", port: 0, idleTimeout: configuration.connectionIdleTimeout, logger: logger)
        do {
            try await app.test(.live, body)
        } catch {
            await close()
            throw error
        }
        await close()
    }

    func close() async {
        await store.close()
        await pool.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}

enum Header {
    static func basic(_ user: String, _ password: String) -> HTTPFields {
        [.authorization: "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()]
    }

    static func bearer(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)"]
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body with its `time` value replaced by `T`, for exact comparison.
    var shape: String {
        text.replacing(#/"time":"[^"]*"/#, with: #""time":"T""#)
    }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    var bearer: String { json["bearer"] as? String ?? "" }
}

let apiver = AuthdVersion.apiVersion
let loginPath = AuthRoutes.loginPath
let logoutPath = AuthRoutes.logoutPath
let verifyPath = AuthRoutes.verifyPath

func errorShape(_ status: Int, _ description: String) -> String {
    #"{"status":\#(status),"description":"\#(description)","apiver":"\#(apiver)","time":"T"}"#
}

extension HashingPool {
    /// Occupies every hashing thread with a job that waits, and returns once all of them run:
    /// what the server sees under a login flood. Call the result to let them finish.
    func occupyEveryThread() async -> @Sendable () async throws -> Void {
        let release = DispatchSemaphore(value: 0)
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let blockers = (0..<threads).map { _ in
            Task {
                try await run {
                    startedContinuation.yield()
                    release.wait()
                }
            }
        }
        var running = 0
        for await _ in started {
            running += 1
            if running == threads { break }
        }
        return {
            for _ in blockers { release.signal() }
            for blocker in blockers { try await blocker.value }
        }
    }
}
