import ArgumentParser
import AuthStore
import AuthStorePostgres

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

    @Option(
        name: .long,
        help: "SQLite database file, or postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=… (env AUTHD_DB; default ./authd.sqlite)."
    )
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

    /// Opens the store as `access` says: a SQLite file, or a PostgreSQL database when the
    /// location is a `postgres://` URL. Pending migrations of a read-only open are checked by
    /// ``withStore(_:_:lookup:_:)``.
    ///
    /// - Parameter warn: where the warnings go — files whose permissions the store tightened,
    ///   a config file that exposes a database password, a PostgreSQL server that can lose
    ///   acknowledged commits (stderr; `serve` logs them).
    /// - Throws: ``CommandFailure`` for a missing file, naming the command that creates it;
    ///   ``StoreError`` for everything else the store refuses (also a database file that is
    ///   readable by others and not this user's to change, or a malformed URL).
    func open(
        _ access: StoreAccess, migrate: Bool = true, observer: StoreObserver = .none, lookup: OptionLookup,
        warn: (String) -> Void = printWarning
    ) async throws -> any AuthStorage {
        for warning in lookup.warnings { warn(warning) }
        let path = path(lookup)
        if PostgresURL.isPostgres(path) {
            let store = try await PostgresAuthStore.open(
                url: try PostgresURL(path), mode: access == .read || access == .inspect ? .readOnly : .readWrite,
                migrate: migrate, observer: observer)
            if access == .create {
                do {
                    for warning in try await store.durabilityWarnings() { warn(warning) }
                } catch {
                    await store.close()
                    throw error
                }
            }
            return store
        }
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

    /// The database's location fit to print: a PostgreSQL URL without its password.
    static func printable(_ location: String) -> String {
        guard PostgresURL.isPostgres(location) else { return location }
        return (try? PostgresURL(location).redacted) ?? "<a PostgreSQL URL that does not parse>"
    }
}

/// Runs `body` against the store opened as `access` says, and closes it, also when `body`
/// throws.
///
/// - Throws: for ``StoreAccess/read``, a ``CommandFailure`` when the schema is older than
///   this binary, naming `authd migrate up`; otherwise what opening or `body` throws.
func withStore<T>(
    _ options: DatabaseOptions, _ access: StoreAccess, lookup: OptionLookup,
    _ body: (any AuthStorage) async throws -> T
) async throws -> T {
    let store = try await options.open(access, lookup: lookup)
    do {
        if access == .read {
            let pending = try await store.migrationStatus().filter { !$0.isApplied }
            if !pending.isEmpty {
                let count = pending.count == 1 ? "1 migration" : "\(pending.count) migrations"
                throw CommandFailure(
                    "database \(store.location) is \(count) behind this authd (schema older than the binary); "
                        + "apply them with: authd migrate up --db \(store.location)")
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
