import AuthStore
import Logging
import NIOSSL
import PostgresNIO

/// ``AuthStorage`` on a PostgreSQL database that several `authd serve` replicas share.
///
/// Every promise of the SQLite engine holds across replicas, because the database is the
/// only place where state lives:
/// - the audit chain has one writer at a time cluster-wide: every audited transaction
///   locks the one `audit_head` row first (``auditedTransaction(_:)``), so ids have no gaps
///   and the chain cannot fork;
/// - throttle admission counts and reserves under a transaction-level advisory lock on the
///   client address, so two replicas cannot both hand out the last slot;
/// - a method returns after its `COMMIT`, so an answer given means the change is durable
///   (as durable as the server's `synchronous_commit` makes it; `serve` warns when off).
///
/// Advisory locks are keyed by a class (`hashtext('authd.throttle')`, `'authd.sweep'`,
/// `'authd.prune'`, `'authd.migrate'`) and by the schema (with the address, for throttling),
/// so that authd installations in different schemas of one database never wait for each
/// other.
///
/// The store owns its `PostgresClient`: ``open(url:mode:migrate:schema:maxConnections:logger:)``
/// starts the client's run task and ``close()`` cancels it.
public final class PostgresAuthStore: AuthStorage {
    /// How the store treats the database.
    public enum OpenMode: Sendable, Equatable {
        /// Every transaction read-only (`default_transaction_read_only`): nothing is created,
        /// migrated or written.
        case readOnly
        case readWrite
    }

    public let url: PostgresURL
    public let mode: OpenMode
    public var location: String { url.redacted }
    public var knownSchemaVersion: Int { PostgresMigrator().migrations.last?.version ?? 0 }
    let client: PostgresClient
    let logger: Logger
    let tracker: PostgresWriteTracker
    let batcher: PostgresAuditBatcher
    let sessionFinder: PostgresSessionFinder
    private let runTask: Task<Void, Never>

    private init(
        url: PostgresURL, mode: OpenMode, client: PostgresClient, maxConnections: Int, logger: Logger,
        observer: StoreObserver, runTask: Task<Void, Never>
    ) {
        self.url = url
        self.mode = mode
        self.client = client
        self.logger = logger
        self.runTask = runTask
        let tracker = PostgresWriteTracker()
        self.tracker = tracker
        let location = url.redacted
        // A quarter of the pool for verify's queries: enough to keep PostgreSQL busy, and
        // logins, logouts and the admin commands always find a connection.
        self.sessionFinder = PostgresSessionFinder(maximumInFlight: maxConnections / 4) { tokenHashes in
            do {
                return try await client.withConnection { connection in
                    try await connection.rows(PostgresStatements.FindSessions(tokenHashes: tokenHashes), logger: logger)
                }
            } catch {
                throw Self.describe(error, location: location)
            }
        }
        self.batcher = PostgresAuditBatcher(
            logger: logger, observer: observer,
            endSessions: { requests, connection, audit in
                try await Self.endSessions(requests, on: connection, audit: &audit, logger: logger)
            }
        ) { body in
            try await tracker.track {
                do {
                    try await Self.runTransaction(client: client, logger: logger, body)
                } catch {
                    throw Self.describe(error, location: location)
                }
            }
        }
    }

    /// Connects to the database at `url`, checks its migrations and applies pending ones
    /// (read-write with `migrate`).
    ///
    /// - Parameters:
    ///   - schema: the schema to work in (`search_path`); tests give each test its own.
    ///   - maxConnections: the pool's size; more than the hashing pool can keep busy buys
    ///     nothing.
    ///   - observer: told about every committed batch of audited writes (the server's metrics).
    /// - Throws: ``StoreError``: `.newerDatabase` or `.migrationChanged` as on SQLite;
    ///   `.database` when the server cannot be reached or refuses the login.
    public static func open(
        url: PostgresURL, mode: OpenMode = .readWrite, migrate: Bool = true, schema: String? = nil,
        maxConnections: Int = 16, observer: StoreObserver = .none, logger: Logger = quietLogger
    ) async throws -> PostgresAuthStore {
        let tlsConfiguration = try tls(for: url)
        // One direct connection first: the pool retries a failing connect with backoff for
        // a minute, and an operator whose server is down should hear so at once.
        try await probe(url, tls: tlsConfiguration, logger: logger)
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: tlsConfiguration.map { .require($0) } ?? .disable)
        configuration.options.maximumConnections = max(1, maxConnections)
        configuration.options.connectTimeout = .seconds(10)
        var parameters: [(String, String)] = [
            ("application_name", "authd"),
            // A replica that dies or stalls mid-transaction must not hold the audit head (or a
            // throttle lock) for long: the server ends its transaction, the others go on.
            ("idle_in_transaction_session_timeout", "30s"),
            ("lock_timeout", "10s"),
        ]
        if let schema { parameters.append(("search_path", schema)) }
        if mode == .readOnly { parameters.append(("default_transaction_read_only", "on")) }
        configuration.options.additionalStartupParameters = parameters
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runTask = Task { await client.run() }
        let store = PostgresAuthStore(
            url: url, mode: mode, client: client, maxConnections: max(1, maxConnections), logger: logger,
            observer: observer, runTask: runTask)
        do {
            let migrator = PostgresMigrator()
            if mode == .readWrite && migrate {
                _ = try await store.withStoreErrors { try await migrator.migrate(store.client, logger: logger) }
            } else {
                _ = try await store.withStoreErrors { try await migrator.status(store.client, logger: logger) }
            }
            return store
        } catch {
            await store.close()
            throw error
        }
    }

    /// Connects and disconnects once, so that a server that is down, a wrong password or a
    /// certificate that does not verify is one clear error.
    private static func probe(_ url: PostgresURL, tls: TLSConfiguration?, logger: Logger) async throws {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: PostgresConnection.Configuration(
                    host: url.host, port: url.port, username: url.user, password: url.password,
                    database: url.database,
                    tls: try tls.map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable),
                id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw describe(error, location: url.redacted)
        }
    }

    /// The TLS settings `url`'s `sslmode` asks for; nil for `disable`.
    /// postgres-nio's own messages at error level only: the store reports what fails as
    /// ``StoreError``s, and a command's stderr must stay one line.
    public static var quietLogger: Logger {
        var logger = Logger(label: "authd.postgres")
        logger.logLevel = .error
        return logger
    }

    private static func tls(for url: PostgresURL) throws -> TLSConfiguration? {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch url.sslMode {
        case .disable:
            return nil
        case .require:
            tls.certificateVerification = .none
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
        case .verifyFull:
            tls.certificateVerification = .fullVerification
        }
        if let file = url.sslRootCert {
            tls.trustRoots = .file(file)
        }
        return tls
    }

    // MARK: Running work

    /// `.readOnly` on a store opened ``OpenMode/readOnly``: the one check every write makes.
    func requireWritable() throws {
        guard mode == .readWrite else { throw StoreError(.readOnly, "database \(location) is open read-only") }
    }

    /// Runs `body` in one transaction and commits; errors come out as ``StoreError``.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try requireWritable()
        guard !runTask.isCancelled else { throw StoreError(.database, "database \(location) is closed") }
        return try await tracker.track {
            try await withStoreErrors { try await Self.runTransaction(client: client, logger: logger, body) }
        }
    }

    /// BEGIN, `body`, COMMIT on a pooled connection (ROLLBACK when `body` throws).
    ///
    /// A serialization failure or deadlock (which PostgreSQL resolves by failing one side)
    /// is retried once: the transaction had no effect, and running it again is what the
    /// other side's commit expects.
    static func runTransaction<T: Sendable>(
        client: PostgresClient, logger: Logger, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in
                    try await connection.run("BEGIN", logger: logger)
                    do {
                        let result = try await body(connection)
                        try await connection.run("COMMIT", logger: logger)
                        return result
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch let error as PSQLError where attempt == 1 && isRetryable(error) {
                continue
            }
        }
    }

    /// Runs `body` in a transaction that appends audit rows: grouped with this replica's
    /// other audited writes into one transaction (``PostgresAuditBatcher``) whose first
    /// statement locks the chain's head; returns once that transaction has committed.
    ///
    /// Locking the head first, always, is also what keeps transactions from deadlocking:
    /// every audited transaction takes the same lock before any other.
    func auditedTransaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, inout PostgresAuditAppender) async throws -> T
    ) async throws -> T {
        try requireWritable()
        return try await batcher.submit(body)
    }

    /// Runs `body` on a pooled connection outside any explicit transaction (each statement
    /// its own); errors come out as ``StoreError``.
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withStoreErrors { try await client.withConnection { try await body($0) } }
    }

    func withStoreErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw storeError(error)
        }
    }

    /// Wraps an error from below the store's surface. The message names the database by its
    /// redacted URL and never includes query parameters (which can be password hashes).
    func storeError(_ error: any Error) -> StoreError {
        Self.describe(error, location: location)
    }

    static func describe(_ error: any Error, location: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return StoreError(.database, "database \(location): \(message)\(state)")
            }
            let cause = error.underlying.map { ": \($0)" } ?? ""
            return StoreError(.database, "database \(location): \(error.code)\(cause)")
        }
        return StoreError(.database, "database \(location): \(error)")
    }

    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    // MARK: Maintenance

    public func statistics() async throws -> StoreStatistics {
        try await read { connection in
            let rows = try await connection.query(
                "SELECT (SELECT count(*) FROM sessions), pg_database_size(current_database())", logger: logger
            ).collect()
            let row = PostgresRowReader(rows[0])
            return StoreStatistics(sessions: row.int(0), databaseBytes: row.int(1))
        }
    }

    public func ping() async throws -> Int {
        try await read { connection in
            let rows = try await connection.query(
                "SELECT COALESCE(max(version), 0)::bigint FROM schema_migrations", logger: logger
            ).collect()
            return PostgresRowReader(rows[0]).int(0)
        }
    }

    public func writerHealth() -> WriterHealth {
        tracker.health
    }

    public func migrationStatus() async throws -> [MigrationStatus] {
        try await withStoreErrors { try await PostgresMigrator().status(client, logger: logger) }
    }

    public func migrate() async throws -> [MigrationStatus] {
        try requireWritable()
        return try await withStoreErrors { try await PostgresMigrator().migrate(client, logger: logger) }
    }

    /// Server settings that weaken the promise that an answer means durable, for `serve` to
    /// warn about at start.
    public func durabilityWarnings() async throws -> [String] {
        try await read { connection in
            let rows = try await connection.query(
                "SELECT current_setting('fsync'), current_setting('synchronous_commit')", logger: logger
            ).collect()
            let row = PostgresRowReader(rows[0])
            var warnings: [String] = []
            if row.string(0) == "off" {
                warnings.append("PostgreSQL runs with fsync=off: a crash of the database server can lose or corrupt acknowledged logins and audit rows")
            }
            if row.string(1) == "off" {
                warnings.append("PostgreSQL runs with synchronous_commit=off: a crash of the database server can lose acknowledged logins and audit rows")
            }
            return warnings
        }
    }

    /// Online copies of a PostgreSQL database are PostgreSQL's own tools' job.
    public func backup(to destination: String) async throws {
        throw StoreError(
            .invalidInput,
            "authd backup copies SQLite databases; back up PostgreSQL with pg_dump (e.g. pg_dump -Fc -f \(destination) DBNAME)")
    }

    public func close() async {
        await batcher.close()
        runTask.cancel()
        await runTask.value
    }
}
