import Foundation
import Testing

@testable import AuthStore

/// A database (and its `-wal`/`-shm`) or config file that other local users can read,
/// through the real binary: tightened with a warning, or refused when it is not ours.
@Suite struct FileModeTests {
    /// The database with its `-wal` and `-shm` present (the returned connection holds them)
    /// and all three 0644, as a copy made under umask 022 would be.
    func exposeDatabase(_ sandbox: Sandbox) async throws -> SQLiteConnection {
        try await sandbox.withStore { _ in }
        let holder = try SQLiteConnection(path: sandbox.db)
        for file in [sandbox.db, sandbox.db + "-wal", sandbox.db + "-shm"] {
            try #require(sandbox.fileExists(file))
            try #require(chmod(file, 0o644) == 0)
        }
        return holder
    }

    func warnings(_ sandbox: Sandbox) -> [String] {
        [sandbox.db, sandbox.db + "-wal", sandbox.db + "-shm"].map {
            "\($0) was readable by group or others (mode 0644); changed to 0600"
        }
    }

    /// A read-only command tightens too (it owns the files); the warnings go to stderr and
    /// the output is unchanged.
    @Test func aReadOnlyCommandMakesTheFilesPrivateAndSaysSo() async throws {
        try await Sandbox.with { sandbox in
            let holder = try await exposeDatabase(sandbox)
            defer { holder.close() }
            let result = try await sandbox.authd("user", "list", "--format", "csv")
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == "username,status,created_at,updated_at,scheme\n", "\(result)")
            #expect(result.stderr == warnings(sandbox).map { "Warning: \($0)\n" }.joined(), "\(result)")
            for file in [sandbox.db, sandbox.db + "-wal", sandbox.db + "-shm"] {
                #expect(try sandbox.mode(file) == 0o600, "\(file)")
            }
            // Once private, nothing more is said.
            expectSuccess(
                try await sandbox.authd("user", "list", "--format", "csv"),
                stdout: "username,status,created_at,updated_at,scheme\n")
        }
    }

    /// `serve` logs the same warnings before it listens.
    @Test func serveLogsTheChange() async throws {
        try await Sandbox.with { sandbox in
            let holder = try await exposeDatabase(sandbox)
            defer { holder.close() }
            let server = try await ServedProcess(sandbox: sandbox)
            let log = server.output
            await server.stop()
            for warning in warnings(sandbox) {
                #expect(log.contains("warning") && log.contains(warning), "\(log)")
            }
            #expect(try sandbox.mode(sandbox.db) == 0o600)
        }
    }

    /// Someone else's world-readable database (here root's, read by `nobody`): the command
    /// cannot make it private and refuses with one line, leaving the file as it was.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func aFileThatIsNotOursIsRefused() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.withStore { _ in }
            try #require(chmod(sandbox.directory.path, 0o755) == 0 && chmod(sandbox.db, 0o644) == 0)
            let result = try await AuthdProcess.run(
                [
                    "--reuid=65534", "--regid=65534", "--clear-groups", AuthdProcess.binary.path, "user", "list",
                    "--db", sandbox.db,
                ], executable: URL(filePath: "/usr/bin/setpriv"), in: sandbox.directory)
            expectFailure(
                result,
                "\(sandbox.db) is readable by group or others (mode 0644) and cannot be made private "
                    + "(Operation not permitted); run chmod 600 on it as its owner")
            #expect(try sandbox.mode(sandbox.db) == 0o644)
        }
    }

    /// A config file others can read warns only when its `db` holds a password; it is never
    /// changed.
    @Test func aReadableConfigWithADatabasePasswordWarns() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.withStore { _ in }
            let config = sandbox.path("authd.toml")
            for (db, mode, warns) in [
                ("postgres://authd:s3cret@db.example/authd", 0o644, true),
                ("postgres://authd:s3cret@db.example/authd", 0o600, false),
                ("postgres://authd@db.example/authd", 0o644, false),
                (sandbox.db, 0o644, false),
            ] as [(String, mode_t, Bool)] {
                try "db = \"\(db)\"\n".write(toFile: config, atomically: false, encoding: .utf8)
                try #require(chmod(config, mode) == 0)
                // --db wins over the file's db, so the command runs on the sandbox's database.
                let result = try await sandbox.authd("user", "list", "--config", config)
                #expect(result.status == 0, "\(result)")
                let warning =
                    "Warning: config file \(config) is readable by group or others (mode 0644) "
                    + "and its db holds a password; run chmod 600 on it\n"
                #expect(result.stderr == (warns ? warning : ""), "\(db) \(mode): \(result)")
                #expect(try sandbox.mode(config) == mode)
            }
        }
    }
}
