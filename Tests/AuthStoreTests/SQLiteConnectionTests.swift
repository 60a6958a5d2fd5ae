import Foundation
import Testing

@testable import AuthStore

@Suite struct SQLiteConnectionTests {
    @Test func databaseAndSidecarFilesArePrivate() async throws {
        try await withStore { store, directory in
            try await store.recordAudit(
                .failure(.login, .badPassword, username: "x", context: Fixture.context), at: Fixture.t0)
            // While the store is open in WAL mode, all three files exist.
            for name in ["auth.db", "auth.db-wal", "auth.db-shm"] {
                #expect(directory.exists(name), "\(name) exists")
                #expect(directory.mode(of: name) == 0o600, "\(name) mode")
            }
        }
    }

    /// A request racing shutdown must get an error, not touch a freed SQLite handle.
    @Test func aClosedConnectionRefusesEverything() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("auth.db"))
            #expect(try connection.scalarInt("SELECT 1") == 1)
            connection.close()
            #expect((try? connection.scalarInt("SELECT 1")) == nil)
            #expect(throws: SQLiteError.self) { try connection.execute("SELECT 1") }
            #expect(throws: SQLiteError.self) { try connection.query("SELECT 2", []) { $0.int64(0) } }
        }
    }

    @Test func pragmasOnTheStoreConnections() async throws {
        try await withStore { store, _ in
            let writer = try await store.writer.withConnection {
                [
                    try $0.scalarString("PRAGMA journal_mode"), String(try $0.scalarInt("PRAGMA synchronous")),
                    String(try $0.scalarInt("PRAGMA foreign_keys")), String(try $0.scalarInt("PRAGMA query_only")),
                ]
            }
            #expect(writer == ["wal", "2", "1", "0"])
            let reader = try await store.read {
                [
                    try $0.scalarString("PRAGMA journal_mode"), String(try $0.scalarInt("PRAGMA synchronous")),
                    String(try $0.scalarInt("PRAGMA foreign_keys")), String(try $0.scalarInt("PRAGMA query_only")),
                ]
            }
            #expect(reader == ["wal", "2", "1", "1"])
        }
    }

    @Test func walIsRecordedInTheFileHeader() async throws {
        try await withTemporaryDirectory { directory in
            await SQLiteAuthStore.openAndClose(directory.file("auth.db"))
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.file("auth.db"))))
            #expect(bytes.count >= 100)
            #expect(Array(bytes.prefix(16)) == Array("SQLite format 3\0".utf8))
            // File format write/read version 2 means WAL.
            #expect(bytes[18] == 2 && bytes[19] == 2)
        }
    }

    @Test func readerConnectionRefusesWrites() async throws {
        try await withStore { store, _ in
            try await store.addUser(name: "alice", passwordHash: Fixture.hashA, at: Fixture.t0, context: .commandLine)
            var failure: StoreError?
            do {
                _ = try await store.read { try $0.run("DELETE FROM users") }
            } catch let error as StoreError {
                failure = error
            }
            #expect(failure?.code == .database)
            #expect(failure?.underlying?.primaryCode == 8)  // SQLITE_READONLY
            #expect(try await store.userCount() == 1)
        }
    }

    @Test func fileThatIsNotSQLiteIsRefusedAndLeftAlone() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("auth.db")
            var contents = Array("this is a text file, not a database\n".utf8)
            contents += (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            try Data(contents).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)

            var thrown: (any Error)?
            do {
                _ = try SQLiteAuthStore.open(path: path)
            } catch {
                thrown = error
            }

            let error = try #require(thrown as? StoreError)
            #expect(error.code == .database)
            #expect(error.underlying?.code == 26)  // SQLITE_NOTADB
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == contents)
            #expect(!directory.exists("auth.db-wal"))
        }
    }

    @Test func unwritablePathFails() async throws {
        try await withTemporaryDirectory { directory in
            // A parent that does not exist, and a parent that is a regular file. (Tests may run
            // as root, for whom permission bits do not stop anything.)
            try Data("x".utf8).write(to: URL(fileURLWithPath: directory.file("plain")))
            for path in [directory.file("missing/auth.db"), directory.file("plain/auth.db")] {
                #expect(await storeErrorCode { _ = try SQLiteAuthStore.open(path: path) } == .database, "\(path)")
                #expect(throws: SQLiteError.self) { _ = try SQLiteConnection(path: path) }
            }
            #expect(!directory.exists("missing"))
        }
    }

    @Test func constraintViolationsCarryTheExtendedCodeAndSQL() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("auth.db"))
            defer { connection.close() }
            try Migrator().migrate(connection)
            let insertUser =
                "INSERT INTO users (username, password_hash, disabled, created_at, updated_at) VALUES (?, ?, ?, 0, 0)"
            try connection.run(insertUser, "alice", "h", 0)

            let unique = try #require(throws: SQLiteError.self) { try connection.run(insertUser, "alice", "h", 0) }
            #expect(unique.code == 2067)  // SQLITE_CONSTRAINT_UNIQUE
            #expect(unique.primaryCode == 19)
            #expect(unique.isConstraintViolation)
            #expect(unique.sql == insertUser)
            #expect(unique.message.contains("users.username"))
            #expect(unique.description.contains(insertUser))

            let check = try #require(throws: SQLiteError.self) { try connection.run(insertUser, "bob", "h", 2) }
            #expect(check.code == 275)  // SQLITE_CONSTRAINT_CHECK

            // foreign_keys is on: a session for a user that does not exist is refused.
            let insertSession = """
                INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, last_seen_at) VALUES ('s', x'00', 999, 0, 0, 0)
                """
            let foreignKey = try #require(throws: SQLiteError.self) { try connection.run(insertSession) }
            #expect(foreignKey.code == 787)  // SQLITE_CONSTRAINT_FOREIGNKEY
            #expect(foreignKey.sql == insertSession)

            // Through execute (sqlite3_exec) the extended code and SQL are kept as well.
            let viaExecute = try #require(throws: SQLiteError.self) {
                try connection.execute(
                    "INSERT INTO users (username, password_hash, created_at, updated_at) VALUES ('alice', 'h', 0, 0)")
            }
            #expect(viaExecute.code == 2067)
            #expect(viaExecute.sql?.hasPrefix("INSERT INTO users") == true)

            let syntax = try #require(throws: SQLiteError.self) { try connection.run("SELEKT 1") }
            #expect(syntax.code == 1)
            #expect(syntax.sql == "SELEKT 1")
            // The failed statements left the connection usable.
            #expect(try connection.scalarInt("SELECT count(*) FROM users") == 1)
        }
    }

    @Test func valuesRoundTrip() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("auth.db"))
            defer { connection.close() }
            try connection.execute("CREATE TABLE t (i INTEGER, s TEXT, b BLOB)")
            let text = "nul\u{0}inside, ünïcode 🔑"
            try connection.run("INSERT INTO t VALUES (?, ?, ?)", Int64.min, text, [UInt8]([0, 1, 255]))
            try connection.run("INSERT INTO t VALUES (?, ?, ?)", Int64.max, "", [UInt8]())
            let rows = try connection.query("SELECT i, s, b, typeof(b) FROM t ORDER BY rowid") {
                ($0.int64(0), $0.string(1), $0.bytes(2), $0.string(3))
            }
            #expect(rows.count == 2)
            #expect(rows[0].0 == Int64.min && rows[0].1 == text && rows[0].2 == [0, 1, 255])
            // An empty blob stays a blob, not NULL.
            #expect(rows[1].0 == Int64.max && rows[1].1 == "" && rows[1].2 == [] && rows[1].3 == "blob")
            let missing: String? = nil
            try connection.run("INSERT INTO t (s) VALUES (?)", missing)
            #expect(try connection.scalarInt("SELECT count(*) FROM t WHERE s IS NULL") == 1)
        }
    }

    /// `close()` runs explicitly and again from `deinit`; the second call must not touch a
    /// handle SQLite may already have handed to another connection.
    @Test func closingTwiceLeavesOtherConnectionsAlone() async throws {
        try await withTemporaryDirectory { directory in
            for _ in 0..<20 {
                var first: SQLiteConnection? = try SQLiteConnection(path: directory.file("a.db"))
                first?.close()
                let second = try SQLiteConnection(path: directory.file("b.db"))
                defer { second.close() }
                first = nil
                #expect(try second.scalarInt("SELECT 1") == 1)
            }
        }
    }

    /// The same at the store's level: a closed store released after a newer one opened must
    /// not shut the newer one's connections.
    @Test func releasingAClosedStoreLeavesANewerOneWorking() async throws {
        try await withTemporaryDirectory { directory in
            for round in 0..<5 {
                var old: SQLiteAuthStore? = try SQLiteAuthStore.open(path: directory.file("old\(round).db"))
                await old?.close()
                let new = try SQLiteAuthStore.open(path: directory.file("new\(round).db"))
                old = nil
                try await new.addUser(name: "alice", passwordHash: Fixture.hashA, at: Fixture.t0, context: .commandLine)
                #expect(try await new.userCount() == 1)
                await new.close()
            }
        }
    }
}
