import ArgumentParser
import AuthStore

/// What a command does with the database, which decides how it is opened: read-only
/// commands must never create, migrate or write, so a mistyped path or an old schema is an
/// error instead of a new empty database that looks fine.
enum StoreAccess {
    /// Read-only, on a database whose schema is current (`user list`, `audit`, `backup`…).
    case read
    /// Read-only, pending migrations allowed: `migrate status` reports them.
    case inspect
    /// Applies pending migrations; the file must exist (`user passwd`, `session revoke`…).
    case change
    /// Applies pending migrations and creates a missing file (`serve`, `user add`).
    case create
}

/// `--config FILE` and `--db PATH`, shared by every command that touches data, so the admin
/// commands find the same database (and PBKDF2 cost and throttle window) as the server.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "TOML config file as serve reads it; keys are serve's long option names (env AUTHD_CONFIG).")
    var config: String?

    @Option(name: .long, help: "SQLite database file (env AUTHD_DB; default ./authd.sqlite).")
    var db: String?

    /// The lookup for this command's options: flag, `AUTHD_*` variable, the config file
    /// (`--config` or `AUTHD_CONFIG`), default.
    ///
    /// The file is checked as `serve` checks it, keys and types, so one file serves both and
    /// a typo fails the same way everywhere; a command uses only the keys it has options for.
    /// - Throws: ``CommandFailure`` for an unreadable or invalid file.
    func lookup() throws -> OptionLookup {
        guard let path = config ?? Environment.value("AUTHD_CONFIG") else { return OptionLookup() }
        return OptionLookup(file: try ConfigFile(path: path, options: Serve.fileOptions, lists: Serve.listOptions))
    }

    /// The path from the flag, `AUTHD_DB`, the config file or the default.
    func path(_ lookup: OptionLookup) -> String {
        lookup.value(db, "db", default: "./authd.sqlite") ?? "./authd.sqlite"
    }

    /// Opens the store as `access` says; pending migrations of a read-only open are checked
    /// by ``withStore(_:_:lookup:_:)``, which can wait for the store.
    ///
    /// - Parameter warn: where the warnings go — files whose permissions the store tightened,
    ///   and a config file that exposes a database password (stderr; `serve` logs them).
    /// - Throws: ``CommandFailure`` for a missing file, naming the command that creates it;
    ///   ``StoreError`` for everything else the store refuses (also a database file that is
    ///   readable by others and not this user's to change).
    func open(
        _ access: StoreAccess, migrate: Bool = true, observer: StoreObserver = .none, lookup: OptionLookup,
        warn: (String) -> Void = printWarning
    ) throws -> SQLiteAuthStore {
        for warning in lookup.warnings { warn(warning) }
        let path = path(lookup)
        let mode: SQLiteAuthStore.OpenMode =
            switch access {
            case .read, .inspect: .readOnly
            case .change: .readWrite(create: false)
            case .create: .readWrite(create: true)
            }
        do {
            let store = try SQLiteAuthStore.open(path: path, mode: mode, migrate: migrate, observer: observer)
            for change in store.fileModeChanges { warn(change.description) }
            return store
        } catch let error as StoreError where error.code == .missingDatabase {
            throw CommandFailure("database \(path) does not exist; create it with: authd migrate up --db \(path)")
        }
    }
}

/// Runs `body` against the store opened as `access` says, and closes it, also when `body`
/// throws.
///
/// - Throws: for ``StoreAccess/read``, a ``CommandFailure`` when the schema is older than
///   this binary, naming `authd migrate up`; otherwise what opening or `body` throws.
func withStore<T>(
    _ options: DatabaseOptions, _ access: StoreAccess, lookup: OptionLookup,
    _ body: (SQLiteAuthStore) async throws -> T
) async throws -> T {
    let store = try options.open(access, lookup: lookup)
    do {
        if access == .read {
            let pending = try await store.migrationStatus().filter { !$0.isApplied }
            if !pending.isEmpty {
                let count = pending.count == 1 ? "1 migration" : "\(pending.count) migrations"
                throw CommandFailure(
                    "database \(store.path) is \(count) behind this authd (schema older than the binary); "
                        + "apply them with: authd migrate up --db \(store.path)")
            }
        }
        let result = try await body(store)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}
