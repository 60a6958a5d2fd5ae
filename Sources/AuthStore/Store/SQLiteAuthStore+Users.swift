extension SQLiteAuthStore {
    static let userColumns = "id, username, password_hash, disabled, created_at, updated_at"

    static func user(from row: Row) -> User {
        User(
            id: row.int64(0), name: row.string(1), passwordHash: row.string(2), disabled: row.bool(3),
            createdAt: Timestamp(microseconds: row.int64(4)), updatedAt: Timestamp(microseconds: row.int64(5)))
    }

    static func findUser(_ name: String, on connection: SQLiteConnection) throws -> User? {
        try connection.queryFirst("SELECT \(userColumns) FROM users WHERE username = ?", [name], user(from:))
    }

    static func requireUser(_ name: String, on connection: SQLiteConnection) throws -> User {
        guard let user = try findUser(name, on: connection) else {
            throw StoreError(.userNotFound, "no user named \"\(name)\"")
        }
        return user
    }

    public func userCount() async throws -> Int {
        try await read { Int(try $0.scalarInt("SELECT count(*) FROM users")) }
    }

    public func user(named name: String) async throws -> User? {
        try await read { try Self.findUser(name, on: $0) }
    }

    public func users() async throws -> [User] {
        try await read { try $0.query("SELECT \(Self.userColumns) FROM users ORDER BY username", [], Self.user(from:)) }
    }

    public func maxPasswordIterations() async throws -> Int? {
        // Reads the cost out of each PHC string in SQL: CAST takes the leading digits of
        // "600000$salt$hash". One scan of a small table, no row materialised in Swift.
        let prefix = "$\(PHCHash.algorithm)$i="
        return try await read { connection in
            try connection.queryFirst(
                "SELECT max(CAST(substr(password_hash, ?) AS INTEGER)) FROM users WHERE substr(password_hash, 1, ?) = ?",
                [prefix.utf8.count + 1, prefix.utf8.count, prefix]
            ) { $0.isNull(0) ? nil : $0.int(0) } ?? nil
        }
    }

    @discardableResult
    public func addUser(name: String, passwordHash: String, at time: Timestamp, context: AuditContext) async throws
        -> User
    {
        if let problem = User.nameProblem(name) {
            throw StoreError(.invalidInput, problem)
        }
        return try await write { connection in
            do {
                try connection.run(
                    "INSERT INTO users (username, password_hash, disabled, created_at, updated_at) VALUES (?, ?, 0, ?, ?)",
                    name, passwordHash, time.microseconds, time.microseconds)
            } catch let error as SQLiteError where error.isConstraintViolation {
                throw StoreError(.userExists, "user \"\(name)\" already exists")
            }
            try AuditChain.append(.success(.userAdd, username: name, context: context), at: time, on: connection)
            return User(
                id: connection.lastInsertRowID, name: name, passwordHash: passwordHash, disabled: false,
                createdAt: time, updatedAt: time)
        }
    }

    public func changePassword(name: String, passwordHash: String, at time: Timestamp, context: AuditContext)
        async throws
    {
        try await write { connection in
            let user = try Self.requireUser(name, on: connection)
            try connection.run(
                "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                passwordHash, time.microseconds, user.id)
            try connection.run("DELETE FROM sessions WHERE user_id = ?", user.id)
            try AuditChain.append(.success(.userPasswd, username: name, context: context), at: time, on: connection)
        }
    }

    public func setDisabled(name: String, _ disabled: Bool, at time: Timestamp, context: AuditContext) async throws {
        try await write { connection in
            let user = try Self.requireUser(name, on: connection)
            try connection.run(
                "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?", disabled, time.microseconds, user.id)
            if disabled {
                try connection.run("DELETE FROM sessions WHERE user_id = ?", user.id)
            }
            let event: AuditEvent = disabled ? .userDisable : .userEnable
            try AuditChain.append(.success(event, username: name, context: context), at: time, on: connection)
        }
    }

    public func deleteUser(name: String, at time: Timestamp, context: AuditContext) async throws {
        try await write { connection in
            let user = try Self.requireUser(name, on: connection)
            // Sessions go with the user (ON DELETE CASCADE).
            try connection.run("DELETE FROM users WHERE id = ?", user.id)
            try AuditChain.append(.success(.userDelete, username: name, context: context), at: time, on: connection)
        }
    }
}
