import Testing

@testable import AuthStore

/// Migration 0006 rebuilds `sessions` keyed by the token's hash. A database written by the
/// release before it (schema 0005, sessions in the rowid layout) must come through with
/// every session usable by its token, under its old id, and nothing else changed.
@Suite struct SessionsByTokenMigrationTests {
    private let now = Fixture.t0

    /// A database as the release before 0006 leaves it: two users, three sessions written
    /// with that release's INSERT, and the audit rows of the two users' creation.
    private func olderDatabase(_ directory: TemporaryDirectory) throws {
        let connection = try SQLiteConnection(path: directory.file("auth.db"))
        defer { connection.close() }
        try Migrator(migrations: EmbeddedMigrations.all.filter { $0.version <= 5 }).migrate(connection)
        for (id, name) in [(1, "alice"), (2, "bob")] {
            try connection.run(
                "INSERT INTO users (id, username, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                id, name, Fixture.hashA, now.microseconds, now.microseconds)
            try AuditChain.append(.success(.userAdd, username: name, context: Fixture.context), at: now, on: connection)
        }
        for (id, token, user) in [("a1a1a1a1a1a1a1a1", "a1", 1), ("a2a2a2a2a2a2a2a2", "a2", 1), ("b1b1b1b1b1b1b1b1", "b1", 2)] {
            try connection.run(
                """
                INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, last_seen_at, address, user_agent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                id, Fixture.tokenHash(token), user, now.microseconds, (now + .seconds(8 * 3600)).microseconds,
                now.microseconds, "203.0.113.7", "tests/1.0")
        }
    }

    @Test func sessionsKeepTheirIdsAndTokens() async throws {
        try await withTemporaryDirectory { directory in
            try olderDatabase(directory)
            let store = try SQLiteAuthStore.open(path: directory.file("auth.db"))
            try await closing(store) {
                #expect(try await store.migrationStatus().last?.version == 6)
                let listed = try await store.sessions(username: nil).map(\.id).sorted()
                #expect(listed == ["a1a1a1a1a1a1a1a1", "a2a2a2a2a2a2a2a2", "b1b1b1b1b1b1b1b1"])

                let later = now + .seconds(300)
                guard
                    case .valid(let verified) = try await store.verifySession(
                        tokenHash: Fixture.tokenHash("a2"), policy: SessionPolicy(), at: later,
                        context: Fixture.context)
                else { Issue.record("a session from before the migration must verify"); return }
                #expect(verified.id == "a2a2a2a2a2a2a2a2")
                #expect(verified.username == "alice")
                guard
                    case .valid(let ended) = try await store.endSession(
                        tokenHash: Fixture.tokenHash("a2"), policy: SessionPolicy(), at: later,
                        context: Fixture.context)
                else { Issue.record("a session from before the migration must log out"); return }
                #expect(ended.id == "a2a2a2a2a2a2a2a2")
                #expect(try await store.allAudit().last?.entry.session == "a2a2a2a2a2a2a2a2")

                try await store.revokeSession(id: "b1b1b1b1b1b1b1b1", at: later, context: Fixture.context)
                #expect(try await store.sessions(username: nil).map(\.id) == ["a1a1a1a1a1a1a1a1"])
                // The chain written before the migration continues unbroken.
                #expect(try await store.verifyAuditChain().failure == nil)
            }
        }
    }

    @Test func theTableHasOneKeyAndOneIndex() async throws {
        try await withTemporaryDirectory { directory in
            try olderDatabase(directory)
            let store = try SQLiteAuthStore.open(path: directory.file("auth.db"))
            try await closing(store) {
                let indexes = try await store.read { connection in
                    try connection.query("SELECT name FROM pragma_index_list('sessions') ORDER BY name") {
                        $0.string(0)
                    }
                }
                // The primary key of a WITHOUT ROWID table is the table itself; its only
                // other B-tree is the by-user index.
                #expect(indexes == ["sqlite_autoindex_sessions_1", "sessions_by_user"].sorted())
                let withoutRowID = try await store.read { connection in
                    try connection.scalarInt("SELECT count(*) FROM pragma_table_list WHERE name = 'sessions' AND wr = 1")
                }
                #expect(withoutRowID == 1)
                // The cascade still reaches a deleted user's sessions through the new table.
                try await store.deleteUser(name: "alice", at: now + .seconds(60), context: Fixture.context)
                #expect(try await store.sessions(username: nil).map(\.id) == ["b1b1b1b1b1b1b1b1"])
            }
        }
    }
}
