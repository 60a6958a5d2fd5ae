import CSQLite
import Foundation

/// A consistent copy of a live database through SQLite's online backup API.
enum Backup {
    /// Copies the database at `source` to `destination`, which must not exist yet; the
    /// copy is created with mode 0600. On failure the partial copy is removed.
    static func copy(from source: String, to destination: String) throws {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw StoreError(.invalidInput, "backup destination \(destination) already exists")
        }
        let fd = open(destination, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(.invalidInput, "cannot create \(destination): \(String(cString: strerror(errno)))")
        }
        Foundation.close(fd)
        do {
            let reader = try SQLiteConnection(path: source, readOnly: true)
            defer { reader.close() }
            var target: OpaquePointer?
            var code = sqlite3_open_v2(destination, &target, SQLITE_OPEN_READWRITE, nil)
            defer { sqlite3_close_v2(target) }
            guard code == SQLITE_OK, let target else {
                throw SQLiteError(code: code, connection: target, sql: nil)
            }
            guard let backup = sqlite3_backup_init(target, "main", reader.handle, "main") else {
                throw SQLiteError(code: sqlite3_errcode(target), connection: target, sql: nil)
            }
            // -1: copy every page in one step, under one read transaction, so the copy is a
            // single consistent snapshot; WAL lets the writer go on meanwhile.
            code = sqlite3_backup_step(backup, -1)
            let finish = sqlite3_backup_finish(backup)
            guard code == SQLITE_DONE, finish == SQLITE_OK else {
                throw SQLiteError(code: code == SQLITE_DONE ? finish : code, connection: target, sql: nil)
            }
        } catch {
            unlink(destination)
            throw error
        }
    }
}
