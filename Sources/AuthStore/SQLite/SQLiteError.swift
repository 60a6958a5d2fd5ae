import CSQLite

/// A failed SQLite call: the extended result code, SQLite's message and the SQL it ran.
///
/// Kept inside the store: callers see it wrapped in ``StoreError`` so that nothing above
/// the store depends on SQLite, and no SQL ever reaches an HTTP client.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// Extended result code (`sqlite3_extended_errcode`), e.g. 2067 for a UNIQUE violation.
    public let code: Int32
    public let message: String
    public let sql: String?

    init(code: Int32, message: String, sql: String?) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    init(code: Int32, connection: OpaquePointer?, sql: String?) {
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        let message =
            connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        self.init(code: extended, message: message, sql: sql)
    }

    /// The primary result code (low byte of the extended code).
    public var primaryCode: Int32 { code & 0xff }

    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }

    /// The database itself failing, as opposed to a statement being refused (a constraint,
    /// a bug in SQL): the disk is full or failing, the file is locked or corrupt, memory ran
    /// out. What the writer's health reports.
    public var isStorageFailure: Bool {
        switch primaryCode {
        case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL,
            SQLITE_CANTOPEN, SQLITE_PROTOCOL, SQLITE_NOTADB:
            return true
        default:
            return false
        }
    }

    public var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql { text += " (in: \(sql))" }
        return text
    }
}
