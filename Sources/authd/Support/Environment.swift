import ArgumentParser
import AuthStore
import Foundation

/// Option values from flags, then `AUTHD_*` environment variables, then defaults
/// (CLI.md: every option also reads the variable of the same name).
enum Environment {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The flag's value, else the variable's, else `fallback`.
    static func resolve(_ flag: String?, _ variable: String, default fallback: String) -> String {
        flag ?? value(variable) ?? fallback
    }
}

/// Failures of a command: one line on stderr, exit 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `--db PATH` / `AUTHD_DB`, shared by every command that touches data.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database file (env AUTHD_DB; default ./authd.sqlite).")
    var db: String?

    var path: String { path(OptionLookup.environmentOnly) }

    /// The path from the flag, `AUTHD_DB`, the config file (`serve` only) or the default.
    func path(_ lookup: OptionLookup) -> String {
        lookup.value(db, "db", default: "./authd.sqlite") ?? "./authd.sqlite"
    }

    /// Opens the store, applying pending migrations.
    func open(
        migrate: Bool = true, observer: StoreObserver = .none,
        lookup: OptionLookup = .environmentOnly
    ) throws -> SQLiteAuthStore {
        try SQLiteAuthStore.open(path: path(lookup), migrate: migrate, observer: observer)
    }
}

/// `--pbkdf2-iterations` / `AUTHD_PBKDF2_ITERATIONS`, for commands that hash passwords.
struct HashingOptions: ParsableArguments {
    @Option(
        name: .customLong("pbkdf2-iterations"),
        help: "PBKDF2 cost for new hashes (env AUTHD_PBKDF2_ITERATIONS; default 600000).")
    var pbkdf2Iterations: String?

    func hasher(_ lookup: OptionLookup = .environmentOnly) throws -> PasswordHasher {
        let fallback = String(PasswordHasher.defaultIterations)
        let text = lookup.value(pbkdf2Iterations, "pbkdf2-iterations", default: fallback) ?? fallback
        guard let iterations = Int(text), iterations >= 1, iterations <= Int(Int32.max) else {
            throw CommandFailure(
                "invalid \(lookup.origin(of: "pbkdf2-iterations")) \"\(text)\": must be a whole number from 1 to \(Int32.max)"
            )
        }
        return PasswordHasher(iterations: iterations)
    }
}

/// Runs `body` against the store and closes it, also when `body` throws.
func withStore<T>(_ options: DatabaseOptions, migrate: Bool = true, _ body: (SQLiteAuthStore) async throws -> T)
    async throws -> T
{
    let store = try options.open(migrate: migrate)
    do {
        let result = try await body(store)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}
