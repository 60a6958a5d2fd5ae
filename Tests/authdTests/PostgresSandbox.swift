import AuthStorePostgres
import Foundation
import Testing

@testable import AuthStore

/// The test PostgreSQL server (`AUTHD_TEST_POSTGRES_URL`, started by `.ci/run`).
///
/// Suites that need it are enabled when it is configured, and also under `CI=true` without
/// it, so that they fail there instead of being left out.
enum TestPostgresServer {
    static var adminURL: String? {
        ProcessInfo.processInfo.environment["AUTHD_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }
    static var isWanted: Bool { adminURL != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String { "AUTHD_TEST_POSTGRES_URL is not set (see .ci/postgres)" }
    }

    /// Runs one statement with psql, as the server's administrator or on `database` (a URL).
    static func psql(_ sql: String, database: String? = nil) async throws {
        guard let adminURL else { throw NotConfigured() }
        let result = try await AuthdProcess.run(
            [database ?? adminURL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], executable: URL(filePath: "/usr/bin/psql"),
            in: FileManager.default.temporaryDirectory)
        guard result.status == 0 else {
            throw ServedProcess.ServeFailure(message: "psql \(sql): \(result.stderr)")
        }
    }
}

extension Sandbox {
    /// A sandbox whose `--db` is a new PostgreSQL database, dropped afterwards (with any
    /// connection a killed server left behind).
    static func withPostgres<T>(_ body: (Sandbox) async throws -> T) async throws -> T {
        guard let adminURL = TestPostgresServer.adminURL else { throw TestPostgresServer.NotConfigured() }
        let admin = try PostgresURL(adminURL)
        let name = "authd_" + Hex.encode(SecureRandom.bytes(6))
        try await TestPostgresServer.psql("CREATE DATABASE \(name)")
        let credentials = admin.user + (admin.password.map { ":\($0)" } ?? "")
        let url = "postgres://\(credentials)@\(admin.host):\(admin.port)/\(name)?sslmode=\(admin.sslMode.rawValue)"
        do {
            let result = try await with { sandbox in
                var sandbox = sandbox
                sandbox.postgresURL = url
                return try await body(sandbox)
            }
            try await TestPostgresServer.psql("DROP DATABASE \(name) WITH (FORCE)")
            return result
        } catch {
            try? await TestPostgresServer.psql("DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Opens this sandbox's database, whichever the engine, and closes it afterwards.
    func withAnyStore<T>(_ body: (any AuthStorage) async throws -> T) async throws -> T {
        let store: any AuthStorage =
            if let postgresURL {
                try await PostgresAuthStore.open(url: try PostgresURL(postgresURL), maxConnections: 2)
            } else {
                try SQLiteAuthStore.open(path: db)
            }
        return try await closing(store) { try await body(store) }
    }
}

/// Runs `body`, then closes `store`, also when `body` throws.
func closing<T>(_ store: any AuthStorage, _ body: () async throws -> T) async throws -> T {
    do {
        let result = try await body()
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}
