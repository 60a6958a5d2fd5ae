import Foundation

/// A database file whose group and other permission bits were removed at open.
public struct FileModeChange: Sendable, Equatable, CustomStringConvertible {
    /// The database file, or its `-wal` or `-shm`.
    public let path: String
    /// Permission bits before (e.g. `0o644`) and after (`0o600`).
    public let oldMode: UInt32
    public let newMode: UInt32

    public init(path: String, oldMode: UInt32, newMode: UInt32) {
        self.path = path
        self.oldMode = oldMode
        self.newMode = newMode
    }

    /// One line naming the file and both modes, for the CLI's stderr or the server log.
    public var description: String {
        "\(path) was readable by group or others (mode \(Self.octal(oldMode))); changed to \(Self.octal(newMode))"
    }

    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// Keeps the database, `-wal` and `-shm` private to their owner.
///
/// authd creates a new database 0600, but an existing one may have been copied in or
/// restored with 0644, and SQLite gives the `-wal` and `-shm` it creates the database
/// file's mode, bypassing the umask: the password hashes and session token hashes would be
/// readable by every local user. So every open removes group and other bits from those
/// that exist, and refuses the database when it cannot (it is someone else's file).
enum PrivateFileModes {
    /// Whether `path` is empty (SQLite takes that for a new database) or starts with the
    /// SQLite header; a missing or unreadable file counts as one, and SQLite decides.
    static func mayBeDatabase(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return true }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 16), !header.isEmpty else { return true }
        return header == Data("SQLite format 3\0".utf8)
    }

    /// The files SQLite keeps for the database at `path`.
    static func files(of path: String) -> [String] { [path, path + "-wal", path + "-shm"] }

    /// Removes the group and other permission bits of each of `files` that exists and has
    /// any; owner bits are kept (0644 becomes 0600), so nothing is ever granted.
    ///
    /// - Parameter changeMode: `chmod(2)`; tests pass one that fails as it does for a file
    ///   owned by another user, which a test running as root cannot otherwise see.
    /// - Returns: the files changed, in order, for the caller to report.
    /// - Throws: ``StoreError`` `.unsafePermissions` naming the first file that could not
    ///   be changed, its mode and why.
    static func tighten(
        _ files: [String], changeMode: (String, mode_t) -> Int32 = { chmod($0, $1) }
    ) throws -> [FileModeChange] {
        var changes: [FileModeChange] = []
        for file in files {
            var info = stat()
            // Absent (no -wal after a clean close) is fine; anything else SQLite will report.
            guard stat(file, &info) == 0 else { continue }
            let mode = UInt32(info.st_mode & 0o7777)
            guard mode & 0o077 != 0 else { continue }
            let newMode = mode & ~0o077
            guard changeMode(file, mode_t(newMode)) == 0 else {
                let reason = String(cString: strerror(errno))
                throw StoreError(
                    .unsafePermissions,
                    "\(file) is readable by group or others (mode \(FileModeChange.octal(mode))) and cannot be made "
                        + "private (\(reason)); run chmod 600 on it as its owner")
            }
            changes.append(FileModeChange(path: file, oldMode: mode, newMode: newMode))
        }
        return changes
    }
}
