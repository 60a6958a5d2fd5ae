import Foundation
import Logging
import PostgresNIO
import Testing

@testable import AuthStore
@testable import AuthStorePostgres

/// The storage engines the store tests run on: every behaviour test takes one as its
/// argument, so SQLite and PostgreSQL are held to the same expectations.
///
/// PostgreSQL needs a server: `AUTHD_TEST_POSTGRES_URL` names it (`.ci/run` starts one).
/// Without it the PostgreSQL cases are left out, except under `CI=true`, where they run and
/// fail: a CI run that silently tested one engine would look green for nothing.
enum Engine: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    static var all: [Engine] {
        TestPostgres.isConfigured || TestPostgres.isRequired ? [.sqlite, .postgres] : [.sqlite]
    }

    var testDescription: String { rawValue }

    /// `bytes` as an SQL literal of this engine's binary type.
    func blobLiteral(_ bytes: [UInt8]) -> String {
        switch self {
        case .sqlite: "X'\(Hex.encode(bytes))'"
        case .postgres: "'\\x\(Hex.encode(bytes))'::bytea"
        }
    }
}

enum TestPostgres {
    static var urlText: String? {
        ProcessInfo.processInfo.environment["AUTHD_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }
    static var isConfigured: Bool { urlText != nil }
    static var isRequired: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "AUTHD_TEST_POSTGRES_URL is not set: start a server (.ci/postgres start DIR prints a URL) and export it"
        }
    }

    static func url() throws -> PostgresURL {
        guard let urlText else { throw NotConfigured() }
        return try PostgresURL(urlText)
    }

    /// Runs `body` with a new, empty schema of the test server, dropped afterwards: each test
    /// gets its own tables, so tests run in parallel without seeing each other's rows.
    static func withSchema<T>(_ body: (PostgresURL, String) async throws -> T) async throws -> T {
        let url = try url()
        let schema = "t_" + Hex.encode(SecureRandom.bytes(8))
        try await execute("CREATE SCHEMA \(schema)", on: url)
        do {
            let result = try await body(url, schema)
            try await execute("DROP SCHEMA \(schema) CASCADE", on: url)
            return result
        } catch {
            try? await execute("DROP SCHEMA \(schema) CASCADE", on: url)
            throw error
        }
    }

    /// Runs one statement on its own connection (schema management, tampering in tests).
    static func execute(_ sql: String, on url: PostgresURL, schema: String? = nil) async throws {
        _ = try await withClient(url, schema: schema) { try await $0.query(PostgresQuery(unsafeSQL: sql)) }
    }

    /// Runs `body` with a client of its own, connected to `url` (in `schema`).
    static func withClient<T: Sendable>(
        _ url: PostgresURL, schema: String? = nil, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: .disable)
        if let schema { configuration.options.additionalStartupParameters = [("search_path", schema)] }
        let client = PostgresClient(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

/// Opens a store of `engine` (a new SQLite file in a new temporary directory, or a new
/// PostgreSQL schema), runs `body`, then closes the store and removes what it made.
func withStore<T>(
    _ engine: Engine, _ body: (any AuthStorage, TemporaryDirectory) async throws -> T
) async throws -> T {
    try await withTemporaryDirectory { directory in
        switch engine {
        case .sqlite:
            let store = try SQLiteAuthStore.open(path: directory.file("auth.db"))
            return try await closing(store) { try await body(store, directory) }
        case .postgres:
            return try await TestPostgres.withSchema { url, schema in
                let store = try await PostgresAuthStore.open(url: url, schema: schema, maxConnections: 4)
                return try await closing(store) { try await body(store, directory) }
            }
        }
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

extension AuthStorage {
    /// Every audit row, oldest first.
    func allAudit() async throws -> [AuditRecord] {
        try await recentAudit(limit: Int(Int32.max)).reversed()
    }

    /// Number of rows in `table`.
    func count(_ table: String) async throws -> Int {
        switch self {
        case let store as SQLiteAuthStore:
            return try await store.read { Int(try $0.scalarInt("SELECT count(*) FROM \(table)")) }
        case let store as PostgresAuthStore:
            return try await store.read { connection in
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), logger: store.logger
                ).collect()
                return try rows[0].decode(Int.self)
            }
        default:
            preconditionFailure("unknown engine \(type(of: self))")
        }
    }

    /// Runs `sql` behind the store's back, as someone with write access to the database
    /// would (tampering tests).
    func tamper(_ sql: String) async throws {
        switch self {
        case let store as SQLiteAuthStore:
            try await store.write { try $0.execute(sql) }
        case let store as PostgresAuthStore:
            // A DO block takes several statements; the extended protocol takes one.
            var body = sql.trimmingCharacters(in: .whitespacesAndNewlines)
            if !body.hasSuffix(";") { body += ";" }
            try await store.transaction { [body] connection in
                _ = try await connection.query(
                    PostgresQuery(unsafeSQL: "DO $tamper$ BEGIN \(body) END $tamper$"), logger: store.logger)
            }
        default:
            preconditionFailure("unknown engine \(type(of: self))")
        }
    }

    /// The stored token hashes of every session.
    func storedTokenHashes() async throws -> [[UInt8]] {
        switch self {
        case let store as SQLiteAuthStore:
            return try await store.read { try $0.query("SELECT token_hash FROM sessions", []) { $0.bytes(0) } }
        case let store as PostgresAuthStore:
            return try await store.read { connection in
                try await connection.query("SELECT token_hash FROM sessions", logger: store.logger).collect().map {
                    PostgresRowReader($0).bytes(0)
                }
            }
        default:
            preconditionFailure("unknown engine \(type(of: self))")
        }
    }
}
