import CSQLite
import Foundation

/// ``AuthStorage`` on one SQLite file: one writer connection with group commit, a few
/// reader connections, and the embedded migrations applied at open; or, opened
/// ``OpenMode/readOnly``, only the readers.
public final class SQLiteAuthStore: AuthStorage {
    /// How ``open(path:mode:migrate:readers:observer:)`` treats the file.
    public enum OpenMode: Sendable, Equatable {
        /// Every connection `SQLITE_OPEN_READONLY` and no writer: nothing is created, migrated
        /// or written, so a mistyped path is an error rather than a new empty database.
        case readOnly
        /// A writer and readers; `create` makes a missing file instead of failing.
        case readWrite(create: Bool)
    }

    public let path: String
    public var location: String { path }
    public var knownSchemaVersion: Int { Migrator().migrations.last?.version ?? 0 }
    public let mode: OpenMode
    /// Files whose group and other permission bits ``open(path:mode:migrate:readers:observer:)``
    /// removed, for the caller to report (the store itself prints and logs nothing).
    public let fileModeChanges: [FileModeChange]
    private let writerIfOpen: DatabaseWriter?
    let readers: ReaderPool

    private init(
        path: String, mode: OpenMode, fileModeChanges: [FileModeChange], writer: DatabaseWriter?, readers: ReaderPool
    ) {
        self.path = path
        self.mode = mode
        self.fileModeChanges = fileModeChanges
        self.writerIfOpen = writer
        self.readers = readers
    }

    /// The writer of a store opened read-write. Internal code reaches it through ``write(_:)``,
    /// which fails with an error on a read-only store; tests use it to hold the writer.
    var writer: DatabaseWriter {
        guard let writerIfOpen else { preconditionFailure("a read-only store has no writer") }
        return writerIfOpen
    }

    /// Opens the database at `path`.
    ///
    /// - Parameters:
    ///   - mode: read-only (no writer, nothing created or migrated), or read-write, creating
    ///     the file if `create`. The default creates, as the server does.
    ///   - migrate: apply pending migrations (read-write only). Either way a database with a
    ///     migration this binary does not know, or an edited one, is refused.
    ///   - readers: number of reader connections.
    ///   - observer: told about every committed write batch (the server's metrics).
    ///
    /// The database file and its `-wal` and `-shm` lose any group and other permission bits,
    /// in every mode (a mode change is not a write to the data, and a read-only command is as
    /// good a moment as any to stop exposing the hashes); they are listed in
    /// ``fileModeChanges``. A file that is not a database is left alone (SQLite refuses it).
    /// - Throws: ``StoreError``: `.missingDatabase` when the file does not exist and may not be
    ///   created; `.unsafePermissions` when one of the files is readable or writable by group
    ///   or others and cannot be changed; `.newerDatabase` or `.migrationChanged` for
    ///   migrations this binary does not have; `.database` when the file cannot be opened or
    ///   is not SQLite.
    public static func open(
        path: String, mode: OpenMode = .readWrite(create: true), migrate: Bool = true, readers: Int = 2,
        observer: StoreObserver = .none
    ) throws -> SQLiteAuthStore {
        if mode != .readWrite(create: true), !FileManager.default.fileExists(atPath: path) {
            throw StoreError(.missingDatabase, "database \(path) does not exist")
        }
        // Before any connection: SQLite gives the -wal and -shm it creates the database
        // file's mode. A file that is not a database (a mistyped --db naming someone's notes)
        // is left as it is, for SQLite to refuse.
        let fileModeChanges =
            PrivateFileModes.mayBeDatabase(path) ? try PrivateFileModes.tighten(PrivateFileModes.files(of: path)) : []
        let access: SQLiteConnection.Access =
            switch mode {
            case .readOnly: .readOnly
            case .readWrite(let create): .readWrite(create: create)
            }
        do {
            // This connection first (the writer, when there is one): on a new file it creates
            // the schema and turns WAL on, which the readers then find.
            let first = try SQLiteConnection(path: path, access: access)
            do {
                if access.isReadOnly || !migrate {
                    _ = try Migrator().status(first)
                } else {
                    try Migrator().migrate(first)
                }
                let pool = try ReaderPool(path: path, count: readers)
                guard !access.isReadOnly else {
                    first.close()
                    return SQLiteAuthStore(
                        path: path, mode: mode, fileModeChanges: fileModeChanges, writer: nil, readers: pool)
                }
                let writer = DatabaseWriter(connection: first, observer: observer)
                return SQLiteAuthStore(
                    path: path, mode: mode, fileModeChanges: fileModeChanges, writer: writer, readers: pool)
            } catch {
                first.close()
                throw error
            }
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    // MARK: Running work

    /// Runs `body` in a (grouped) write transaction; errors come out as ``StoreError``.
    @discardableResult
    func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        guard let writerIfOpen else {
            throw StoreError(.readOnly, "database \(path) is open read-only")
        }
        do {
            return try await writerIfOpen.write(body)
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
            guard let writerIfOpen else { return try await readers.read { try Migrator().status($0) } }
            return try await writerIfOpen.withConnection { try Migrator().status($0) }
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    /// Applies pending migrations (`authd migrate up`); the store must have been opened
    /// read-write with `migrate: false` for there to be any.
    ///
    /// - Returns: the migrations applied now, in order; empty when the schema was current.
    /// - Throws: ``StoreError``: `.readOnly` on a read-only store, or the migration's failure
    ///   (that migration and the later ones are not applied).
    public func migrate() async throws -> [MigrationStatus] {
        guard let writerIfOpen else { throw StoreError(.readOnly, "database \(path) is open read-only") }
        do {
            return try await writerIfOpen.withConnection { connection in
                let now = Timestamp.now()
                return try Migrator().migrate(connection, now: { now }).map {
                    MigrationStatus(version: $0.version, name: $0.name, appliedAt: now)
                }
            }
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    public func backup(to destination: String) async throws {
        let source = path
        do {
            // Off the cooperative pool: on the writer's queue, or a reader's when read-only.
            guard let writerIfOpen else {
                return try await readers.read { _ in try Backup.copy(from: source, to: destination) }
            }
            try await writerIfOpen.withConnection { _ in try Backup.copy(from: source, to: destination) }
        } catch {
            throw StoreError.wrap(error, path: source)
        }
    }

    /// Closes the readers first: they are read-only, and SQLite checkpoints the WAL and
    /// removes it only when the last connection to close can write.
    public func close() async {
        readers.close()
        await writerIfOpen?.close()
    }
}
