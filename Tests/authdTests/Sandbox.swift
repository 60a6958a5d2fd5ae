import Foundation
import Testing

@testable import AuthStore

/// A fresh temporary directory holding one test's database, removed when the test ends.
/// `authd` runs with it as its working directory, so even the default `./authd.sqlite`
/// lands inside it.
struct Sandbox: Sendable {
    let directory: URL
    /// A PostgreSQL database of its own (``withPostgres(_:)``); nil for SQLite.
    var postgresURL: String? = nil

    /// The database the commands get through `--db`.
    var db: String { postgresURL ?? path("authd.sqlite") }

    func path(_ name: String) -> String { directory.appending(path: name).path }

    static func with<T>(_ body: (Sandbox) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appending(path: "authd-cli-tests-\(UUID().uuidString)", directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(Sandbox(directory: directory))
    }

    // MARK: Running authd

    /// `authd ARGUMENTS --db DB`.
    func authd(_ arguments: String..., stdin: String? = nil, environment: [String: String?] = [:]) async throws
        -> AuthdResult
    {
        try await AuthdProcess.run(arguments + ["--db", db], in: directory, stdin: stdin, environment: environment)
    }

    /// `authd ARGUMENTS` exactly as given (no `--db`).
    func authd(
        arguments: [String], stdin: String? = nil, stdinBytes: [UInt8]? = nil, environment: [String: String?] = [:]
    ) async throws -> AuthdResult {
        try await AuthdProcess.run(
            arguments, in: directory, stdin: stdin, stdinBytes: stdinBytes, environment: environment)
    }

    /// Adds a user through the CLI and requires it to work.
    func addUser(_ name: String, password: String = "correct horse battery staple") async throws {
        let result = try await authd("user", "add", name, "--password-stdin", stdin: password + "\n")
        try #require(result.status == 0, "\(result)")
    }

    // MARK: Looking at the database

    /// Opens the database (or another file) with the store and closes it afterwards.
    func withStore<T>(at path: String? = nil, _ body: (SQLiteAuthStore) async throws -> T) async throws -> T {
        let store = try SQLiteAuthStore.open(path: path ?? db)
        return try await closing(store) { try await body(store) }
    }

    /// Opens `count` sessions for `name` through the store, as a login would.
    @discardableResult
    func openSessions(for name: String, count: Int = 1) async throws -> [Session] {
        try await withStore { store throws in
            let user = try #require(try await store.user(named: name))
            var sessions: [Session] = []
            for _ in 0..<count {
                let session = try await store.createSession(
                    for: user, tokenHash: SecureRandom.bytes(32), policy: SessionPolicy(), rehash: nil, at: .now(),
                    context: AuditContext(address: "203.0.113.7", userAgent: "curl/8.5.0", requestID: "req-1"))
                sessions.append(try #require(session.session))
            }
            return sessions
        }
    }

    /// Everything a command can change. A failed command must leave it equal.
    struct State: Equatable {
        let users: [User]
        let sessions: [Session]
        let audit: [AuditRecord]
    }

    func state() async throws -> State {
        try await withStore { store throws in
            State(
                users: try await store.users(), sessions: try await store.sessions(username: nil),
                audit: try await store.recentAudit(limit: 10_000))
        }
    }

    /// The newest audit row.
    func lastAudit() async throws -> AuditRecord {
        try await withStore { try #require(try await $0.recentAudit(limit: 1).first) }
    }

    /// Runs raw SQL on the database, bypassing the store (to fake a newer or edited schema).
    func sql(_ statements: String) throws {
        let connection = try SQLiteConnection(path: db)
        defer { connection.close() }
        try connection.execute(statements)
    }

    func fileExists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Permission bits of a file.
    func mode(_ path: String) throws -> mode_t {
        var info = stat()
        try #require(stat(path, &info) == 0, "stat \(path): \(String(cString: strerror(errno)))")
        return info.st_mode & 0o7777
    }
}

// MARK: Expectations

/// A failure as docs/cli.md defines it: exit 1, exactly one line on stderr (`Error: …`, no stack
/// trace), nothing on stdout.
func expectFailure(_ result: AuthdResult, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == 1 && !result.signaled, "\(result)", sourceLocation: sourceLocation)
    #expect(result.stderrIsOneLine, "stderr is not one line: \(result)", sourceLocation: sourceLocation)
    #expect(result.stderr.hasPrefix("Error: "), "\(result)", sourceLocation: sourceLocation)
    #expect(result.stderr.contains(message), "expected \"\(message)\" in: \(result)", sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, "\(result)", sourceLocation: sourceLocation)
}

/// A usage error: exit 2 (docs/cli.md; argument-parser alone would exit 64), the message and the usage.
let usageExitCode: Int32 = 2

func expectUsageError(_ result: AuthdResult, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == usageExitCode && !result.signaled, "\(result)", sourceLocation: sourceLocation)
    #expect(result.stderr.hasPrefix("Error: "), "\(result)", sourceLocation: sourceLocation)
    #expect(result.stderr.contains(message), "expected \"\(message)\" in: \(result)", sourceLocation: sourceLocation)
    #expect(result.stderr.contains("Usage: authd"), "\(result)", sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, "\(result)", sourceLocation: sourceLocation)
}

/// A success: exit 0, `stdout` exactly as given, nothing on stderr.
func expectSuccess(_ result: AuthdResult, stdout: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == 0 && !result.signaled, "\(result)", sourceLocation: sourceLocation)
    #expect(result.stdout == stdout, "\(result)", sourceLocation: sourceLocation)
    #expect(result.stderr.isEmpty, "\(result)", sourceLocation: sourceLocation)
}

/// An admin change's audit row: success, from the command line.
func expectAdminAudit(
    _ record: AuditRecord, _ event: AuditEvent, username: String, session: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(record.entry.event == event, sourceLocation: sourceLocation)
    #expect(record.entry.outcome == .success, sourceLocation: sourceLocation)
    #expect(record.entry.reason == nil, sourceLocation: sourceLocation)
    #expect(record.entry.username == username, sourceLocation: sourceLocation)
    #expect(record.entry.session == session, sourceLocation: sourceLocation)
    #expect(record.entry.context == .commandLine, sourceLocation: sourceLocation)
    #expect(record.entry.context.address == "local", sourceLocation: sourceLocation)
}

extension SQLiteAuthStore {
    /// A failed login as the server records it: admitted by the throttle, then failed.
    func recordFailedLogin(_ username: String, from address: String, at time: Timestamp) async throws {
        let policy = ThrottlePolicy(perUserAndAddress: .max, perAddress: .max)
        let admission = try await admitAttempt(username: username, address: address, policy: policy, at: time)
        guard case .admitted(let slot) = admission else { throw StoreError(.database, "not admitted: \(admission)") }
        try await recordLoginFailure(
            .failure(.login, .badPassword, username: username, context: AuditContext(address: address)),
            reservation: slot, at: time)
    }
}
