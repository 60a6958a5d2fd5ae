import AuthStore
import Logging
import PostgresNIO

extension PostgresAuthStore {
    static let userColumns = "id, username, password_hash, disabled, created_at, updated_at"

    static func user(from row: PostgresRow) -> User {
        let row = PostgresRowReader(row)
        return User(
            id: row.int64(0), name: row.string(1), passwordHash: row.string(2), disabled: row.bool(3),
            createdAt: Timestamp(microseconds: row.int64(4)), updatedAt: Timestamp(microseconds: row.int64(5)))
    }

    func findUser(_ name: String, on connection: PostgresConnection) async throws -> User? {
        try await connection.query(
            "SELECT \(unescaped: Self.userColumns) FROM users WHERE username = \(name)", logger: logger
        ).collect().first.map(Self.user(from:))
    }

    func requireUser(_ name: String, on connection: PostgresConnection) async throws -> User {
        guard let user = try await findUser(name, on: connection) else {
            throw StoreError(.userNotFound, "no user named \"\(name)\"")
        }
        return user
    }

    public func userCount() async throws -> Int {
        try await read { connection in
            let rows = try await connection.query("SELECT count(*) FROM users", logger: logger).collect()
            return PostgresRowReader(rows[0]).int(0)
        }
    }

    public func user(named name: String) async throws -> User? {
        try await read { try await findUser(name, on: $0) }
    }

    public func users() async throws -> [User] {
        try await read { connection in
            try await connection.query(
                "SELECT \(unescaped: Self.userColumns) FROM users ORDER BY username COLLATE \"C\"", logger: logger
            ).collect().map(Self.user(from:))
        }
    }

    public func maxPasswordIterations() async throws -> Int? {
        let pattern = "^\\$\(PHCHash.algorithm)\\$i=([0-9]{1,18})\\$"
        return try await read { connection in
            let rows = try await connection.query(
                "SELECT max(substring(password_hash FROM \(pattern))::bigint) FROM users", logger: logger
            ).collect()
            let row = PostgresRowReader(rows[0])
            return row.isNull(0) ? nil : row.int(0)
        }
    }

    @discardableResult
    public func addUser(name: String, passwordHash: String, at time: Timestamp, context: AuditContext) async throws
        -> User
    {
        if let problem = User.nameProblem(name) {
            throw StoreError(.invalidInput, problem)
        }
        return try await auditedTransaction { [self] connection, audit in
            // ON CONFLICT rather than catching the unique violation: an error would abort the
            // transaction, and the head lock was taken for nothing either way.
            let rows = try await connection.query(
                """
                INSERT INTO users (username, password_hash, disabled, created_at, updated_at)
                VALUES (\(name), \(passwordHash), false, \(time.microseconds), \(time.microseconds))
                ON CONFLICT (username) DO NOTHING RETURNING id
                """, logger: logger
            ).collect()
            guard let row = rows.first else { throw StoreError(.userExists, "user \"\(name)\" already exists") }
            audit.append(.success(.userAdd, username: name, context: context), at: time)
            return User(
                id: PostgresRowReader(row).int64(0), name: name, passwordHash: passwordHash, disabled: false,
                createdAt: time, updatedAt: time)
        }
    }

    public func changePassword(name: String, passwordHash: String, at time: Timestamp, context: AuditContext)
        async throws
    {
        try await auditedTransaction { [self] connection, audit in
            let user = try await requireUser(name, on: connection)
            try await connection.run(
                "UPDATE users SET password_hash = \(passwordHash), updated_at = \(time.microseconds) WHERE id = \(user.id)",
                logger: logger)
            try await connection.run("DELETE FROM sessions WHERE user_id = \(user.id)", logger: logger)
            audit.append(.success(.userPasswd, username: name, context: context), at: time)
        }
    }

    public func setDisabled(name: String, _ disabled: Bool, at time: Timestamp, context: AuditContext) async throws {
        try await auditedTransaction { [self] connection, audit in
            let user = try await requireUser(name, on: connection)
            try await connection.run(
                "UPDATE users SET disabled = \(disabled), updated_at = \(time.microseconds) WHERE id = \(user.id)",
                logger: logger)
            if disabled {
                try await connection.run("DELETE FROM sessions WHERE user_id = \(user.id)", logger: logger)
            }
            audit.append(.success(disabled ? .userDisable : .userEnable, username: name, context: context), at: time)
        }
    }

    public func deleteUser(name: String, at time: Timestamp, context: AuditContext) async throws {
        try await auditedTransaction { [self] connection, audit in
            let user = try await requireUser(name, on: connection)
            // Sessions go with the user (ON DELETE CASCADE).
            try await connection.run("DELETE FROM users WHERE id = \(user.id)", logger: logger)
            audit.append(.success(.userDelete, username: name, context: context), at: time)
        }
    }
}
