import CSQLite

/// A prepared statement owned by one ``SQLiteConnection``.
///
/// Statements are cached by SQL text and reused; they are reset and their bindings cleared
/// before each use, and finalized when the connection closes.
final class Statement {
    let handle: OpaquePointer
    let sql: String
    private unowned let connection: SQLiteConnection

    init(connection: SQLiteConnection, sql: String) throws(SQLiteError) {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else {
            sqlite3_finalize(handle)
            throw SQLiteError(code: code, connection: connection.handle, sql: sql)
        }
        self.handle = handle
        self.sql = sql
        self.connection = connection
    }

    func finalize() {
        sqlite3_finalize(handle)
    }

    /// Resets the statement and binds `values` to parameters 1…n.
    func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .integer(let number):
                code = sqlite3_bind_int64(handle, index, number)
            case .text(let text):
                code =
                    text.utf8.withContiguousStorageIfAvailable { bytes in
                        bytes.withMemoryRebound(to: CChar.self) {
                            csqlite_bind_text_transient(handle, index, $0.baseAddress, Int32($0.count))
                        }
                    } ?? csqlite_bind_text_transient(handle, index, text, -1)
            case .blob(let bytes):
                code = bytes.withUnsafeBytes {
                    // A zero-length blob needs a non-NULL pointer, or SQLite stores NULL.
                    csqlite_bind_blob_transient(
                        handle, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count))
                }
            case .null:
                code = sqlite3_bind_null(handle, index)
            }
            guard code == SQLITE_OK else { throw error(code) }
        }
    }

    /// Advances one row. Returns `true` while a row is available.
    func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let failure = error(code)
            sqlite3_reset(handle)
            throw failure
        }
    }

    /// Resets after use so the statement holds no read transaction open.
    func reset() {
        sqlite3_reset(handle)
    }

    private func error(_ code: Int32) -> SQLiteError {
        SQLiteError(code: code, connection: connection.handle, sql: sql)
    }
}

/// The current row of a statement. Valid only until the next step.
struct Row {
    fileprivate let statement: OpaquePointer

    init(_ statement: Statement) {
        self.statement = statement.handle
    }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(statement, column)
    }

    func int(_ column: Int32) -> Int {
        Int(sqlite3_column_int64(statement, column))
    }

    func bool(_ column: Int32) -> Bool {
        sqlite3_column_int64(statement, column) != 0
    }

    func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(statement, column) == SQLITE_NULL
    }

    func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    func bytes(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let blob = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: blob, count: count))
    }

    /// Calls `body` with the column's text as SQLite holds it (UTF-8, NULL as empty), without
    /// copying it into a `String`: for walks that read millions of rows and only hash or
    /// compare their bytes. The bytes are valid only inside `body`.
    func withText<R>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        // The pointer first, then the length: SQLite's documented order, since asking for
        // the text may convert the value and change its length.
        let text = sqlite3_column_text(statement, column)
        let count = text == nil ? 0 : Int(sqlite3_column_bytes(statement, column))
        return try body(UnsafeRawBufferPointer(start: text, count: count))
    }

    /// Calls `body` with the column's blob in place (NULL as empty), without copying it into
    /// an array. The bytes are valid only inside `body`.
    func withBlob<R>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let blob = sqlite3_column_blob(statement, column)
        let count = blob == nil ? 0 : Int(sqlite3_column_bytes(statement, column))
        return try body(UnsafeRawBufferPointer(start: blob, count: count))
    }
}
