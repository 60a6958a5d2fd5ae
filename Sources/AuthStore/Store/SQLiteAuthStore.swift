import CSQLite
import Foundation

/// ``AuthStorage`` on one SQLite file: one writer connection with group commit, a few
/// reader connections, and the embedded migrations applied at open.
public final class SQLiteAuthStore: AuthStorage {
    public let path: String
    let writer: DatabaseWriter
    let readers: ReaderPool

    private init(path: String, writer: DatabaseWriter, readers: ReaderPool) {
        self.path = path
        self.writer = writer
        self.readers = readers
    }

    /// Opens (creating if needed) the database at `path`.
    ///
    /// - Parameters:
    ///   - migrate: apply pending migrations (the default for every command but
    ///     `migrate status`, which only reports them).
    ///   - readers: number of reader connections.
    ///   - observer: told about every committed write batch (the server's metrics).
    /// - Throws: ``StoreError``: the file cannot be opened or is not SQLite, or its migrations
    ///   are newer than or differ from this binary's.
    public static func open(
        path: String, migrate: Bool = true, readers: Int = 2,
        observer: StoreObserver = .none
    ) throws -> SQLiteAuthStore {
        do {
            let connection = try SQLiteConnection(path: path)
            do {
                if migrate {
                    try Migrator().migrate(connection)
                } else {
                    _ = try Migrator().status(connection)
                }
            } catch {
                connection.close()
                throw error
            }
            let pool = try ReaderPool(path: path, count: readers)
            return SQLiteAuthStore(
                path: path, writer: DatabaseWriter(connection: connection, observer: observer), readers: pool)
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    // MARK: Running work

    /// Runs `body` in a (grouped) write transaction; errors come out as ``StoreError``.
    @discardableResult
    func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        do {
            return try await writer.write(body)
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    /// Runs `body` on a reader connection; errors come out as ``StoreError``.
    func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        do {
            return try await readers.read(body)
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    // MARK: Maintenance

    public func statistics() async throws -> StoreStatistics {
        try await read { connection in
            StoreStatistics(
                sessions: Int(try connection.scalarInt("SELECT count(*) FROM sessions")),
                databaseBytes: Int(
                    try connection.scalarInt("PRAGMA page_count") * connection.scalarInt("PRAGMA page_size")))
        }
    }

    public func ping() async throws -> Int {
        try await read { Int(try $0.scalarInt("SELECT COALESCE(max(version), 0) FROM schema_migrations")) }
    }

    public func writerHealth() -> WriterHealth {
        writer.health()
    }

    public func migrationStatus() async throws -> [MigrationStatus] {
        do {
            return try await writer.withConnection { try Migrator().status($0) }
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    public func backup(to destination: String) async throws {
        let source = path
        do {
            try await writer.withConnection { _ in try Backup.copy(from: source, to: destination) }
        } catch {
            throw StoreError.wrap(error, path: source)
        }
    }

    public func close() async {
        await writer.close()
        readers.close()
    }
}
