import CSQLite
import Foundation

/// One SQLite connection with the settings authd relies on.
///
/// Not thread-safe by design: each connection is confined to one serial executor (the
/// writer's thread or one reader's queue), which is what lets it cache statements and keep
/// SQLite in its cheaper no-mutex mode.
final class SQLiteConnection {
    let handle: OpaquePointer
    let path: String
    private var statements: [String: Statement] = [:]
    private var isClosed = false

    /// Busy timeout: long enough to ride out the writer's commits and a backup, short enough
    /// that a stuck second process yields an error instead of a hung request.
    static let busyTimeoutMilliseconds: Int32 = 5_000

    /// How a connection opens its file.
    enum Access {
        /// `SQLITE_OPEN_READONLY`: never creates, never writes (GRDB's readers do the same).
        case readOnly
        /// Read-write; `create` makes a missing file (mode 0600) instead of failing.
        case readWrite(create: Bool)

        var isReadOnly: Bool {
            if case .readOnly = self { true } else { false }
        }
    }

    /// Opens the database at `path`.
    ///
    /// - Parameter access: ``Access/readOnly`` for reader connections and read-only
    ///   commands; the writer opens ``Access/readWrite(create:)``.
    /// - Throws: ``SQLiteError`` when the file cannot be opened, is not a database, or WAL
    ///   mode cannot be enabled (read-write only: a read-only connection cannot change it).
    init(path: String, access: Access) throws(SQLiteError) {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch access {
        case .readOnly:
            flags |= SQLITE_OPEN_READONLY
        case .readWrite(let create):
            if create { try Self.createPrivateFileIfMissing(path) }
            flags |= SQLITE_OPEN_READWRITE
        }
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let error = SQLiteError(code: code, connection: handle, sql: nil)
            sqlite3_close_v2(handle)
            throw error
        }
        self.handle = handle
        self.path = path
        do {
            sqlite3_busy_timeout(handle, Self.busyTimeoutMilliseconds)
            try configure(readOnly: access.isReadOnly)
        } catch {
            close()
            throw error
        }
    }

    /// Opens (creating if needed, with mode 0600) the database at `path`.
    ///
    /// - Parameter readOnly: open `SQLITE_OPEN_READONLY` (never creating), for reader connections.
    /// - Throws: ``SQLiteError`` when the file cannot be opened, is not a database, or WAL
    ///   mode cannot be enabled.
    convenience init(path: String, readOnly: Bool = false) throws(SQLiteError) {
        try self.init(path: path, access: readOnly ? .readOnly : .readWrite(create: true))
    }

    deinit {
        close()
    }

    /// Finalizes every cached statement and closes the handle. Safe to call twice.
    func close() {
        // `deinit` closes again after an explicit close; by then SQLite may have reused the
        // freed handle's memory for another connection, which a second close would shut.
        guard !isClosed else { return }
        isClosed = true
        for statement in statements.values { statement.finalize() }
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    private func configure(readOnly: Bool) throws(SQLiteError) {
        // Reading the schema first turns "file is not a database" into an error here rather
        // than at the first query.
        _ = try scalarInt("SELECT count(*) FROM sqlite_schema")
        // A read-only connection cannot switch the journal mode; it reads a WAL database
        // (the only kind authd writes) through its -shm, which SQLite creates if missing.
        if readOnly {
            try execute("PRAGMA query_only = ON")
            try execute("PRAGMA foreign_keys = ON")
            return
        }
        let mode = try scalarString("PRAGMA journal_mode = WAL")
        guard mode.lowercased() == "wal" else {
            throw SQLiteError(code: SQLITE_ERROR, message: "could not enable WAL (journal_mode is \(mode))", sql: nil)
        }
        // FULL: a commit is on disk (WAL fsynced) before it returns, so an acknowledged
        // write survives power loss.
        try execute("PRAGMA synchronous = FULL")
        try execute("PRAGMA foreign_keys = ON")
    }

    /// SQLite creates the database with the process umask; a credential store must not be
    /// world-readable, so create the file ourselves first. SQLite gives `-wal` and `-shm`
    /// the database file's mode.
    private static func createPrivateFileIfMissing(_ path: String) throws(SQLiteError) {
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            Foundation.close(fd)
        } else if errno != EEXIST {
            let reason = String(cString: strerror(errno))
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot create \(path): \(reason)", sql: nil)
        }
    }

    // MARK: Running SQL

    /// After `close` the handle is freed memory: using it is undefined behaviour, so every
    /// entry point refuses with SQLITE_MISUSE instead (a request racing shutdown gets an
    /// error, never a crash).
    private func checkOpen(_ sql: String) throws(SQLiteError) {
        guard !isClosed else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "database connection is closed", sql: sql)
        }
    }

    /// Runs one or more statements without results (schema changes, pragmas, BEGIN/COMMIT).
    func execute(_ sql: String) throws(SQLiteError) {
        try checkOpen(sql)
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// Runs one statement that returns no rows; returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: SQLiteBindable...) throws(SQLiteError) -> Int {
        let statement = try prepared(sql)
        try statement.bind(values.map(\.sqliteValue))
        defer { statement.reset() }
        while try statement.step() {}
        return Int(sqlite3_changes64(handle))
    }

    /// Runs one query and maps every row.
    func query<T>(_ sql: String, _ values: [SQLiteBindable] = [], _ map: (Row) throws -> T) throws -> [T] {
        let statement = try prepared(sql)
        try statement.bind(values.map(\.sqliteValue))
        defer { statement.reset() }
        var results: [T] = []
        while try statement.step() {
            results.append(try map(Row(statement)))
        }
        return results
    }

    /// Runs one query and hands each row to `body` as it is read, without collecting them,
    /// until `body` returns `false`. For walks over millions of rows (`audit verify`).
    func forEachRow(_ sql: String, _ values: [SQLiteBindable] = [], _ body: (Row) throws -> Bool) throws {
        let statement = try prepared(sql)
        try statement.bind(values.map(\.sqliteValue))
        defer { statement.reset() }
        while try statement.step() {
            guard try body(Row(statement)) else { return }
        }
    }

    /// Runs one query and maps its first row, if any.
    func queryFirst<T>(_ sql: String, _ values: [SQLiteBindable] = [], _ map: (Row) throws -> T) throws -> T? {
        let statement = try prepared(sql)
        try statement.bind(values.map(\.sqliteValue))
        defer { statement.reset() }
        return try statement.step() ? try map(Row(statement)) : nil
    }

    func scalarInt(_ sql: String, _ values: SQLiteBindable...) throws(SQLiteError) -> Int64 {
        let statement = try prepared(sql)
        try statement.bind(values.map(\.sqliteValue))
        defer { statement.reset() }
        return try statement.step() ? sqlite3_column_int64(statement.handle, 0) : 0
    }

    func scalarString(_ sql: String) throws(SQLiteError) -> String {
        let statement = try prepared(sql)
        try statement.bind([])
        defer { statement.reset() }
        return try statement.step() ? Row(statement).string(0) : ""
    }

    /// Pages this connection has written to disk (in WAL mode: frames appended to the WAL)
    /// since the last call; resets the count.
    func takePagesWritten() -> Int {
        var current: Int32 = 0
        var highwater: Int32 = 0
        sqlite3_db_status(handle, SQLITE_DBSTATUS_CACHE_WRITE, &current, &highwater, 1)
        return Int(current)
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows inserted, updated or deleted through this connection since it opened.
    var totalChanges: Int64 { sqlite3_total_changes64(handle) }

    /// `true` outside a transaction: also after SQLite itself rolled one back (an
    /// `OR ROLLBACK` conflict, a full disk, an I/O error).
    var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// Runs `body` in a transaction; IMMEDIATE takes the write lock up front, so a write
    /// transaction never fails half-way with SQLITE_BUSY on lock upgrade.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func prepared(_ sql: String) throws(SQLiteError) -> Statement {
        try checkOpen(sql)
        if let statement = statements[sql] { return statement }
        let statement = try Statement(connection: self, sql: sql)
        statements[sql] = statement
        return statement
    }
}
