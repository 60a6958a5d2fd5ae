import Foundation

/// The cap on open connections, derived from the process's open-file limit.
///
/// At the descriptor limit `accept` fails with EMFILE; a listener that keeps asking
/// spins a core and answers nobody. A cap below the limit means the listener stops
/// accepting before that: waiting connections stay in the kernel's backlog, and one is
/// taken as soon as another closes.
public enum ConnectionLimit {
    /// Descriptors kept for everything but client connections: the database and its WAL
    /// and shared-memory files on every connection, the metrics listener, logs.
    public static let reserved = 128
    /// The smallest cap that still serves anyone.
    public static let minimum = 16

    /// The soft open-file limit (`RLIMIT_NOFILE`), or nil when it cannot be read or is
    /// unlimited (`RLIM_INFINITY`, all bits set).
    public static func openFileLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else {
            return nil
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// The cap under an open-file limit of `fileLimit`: all of it but ``reserved``.
    public static func `default`(fileLimit: Int? = openFileLimit()) -> Int {
        max(minimum, (fileLimit ?? 65_536) - reserved)
    }

    /// The largest cap allowed under `fileLimit` (nil: no limit known, any cap).
    public static func maximum(fileLimit: Int? = openFileLimit()) -> Int? {
        fileLimit.map { max(minimum, $0 - reserved) }
    }
}
