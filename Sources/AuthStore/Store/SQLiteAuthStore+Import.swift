extension SQLiteAuthStore {
    public func importedPasswordHashes() async throws -> [String] {
        let native = "$\(PHCHash.algorithm)$"
        return try await read { connection in
            try connection.query(
                "SELECT password_hash FROM users WHERE substr(password_hash, 1, ?) <> ?",
                [native.utf8.count, native]
            ) { $0.string(0) }
        }
    }

    public func importUsers(_ users: [ImportedUser], at time: Timestamp, context: AuditContext) async throws {
        // The name is not repeated in the message: it may hold the control characters refused.
        for (index, user) in users.enumerated() {
            if let problem = User.nameProblem(user.name) {
                throw StoreError(.invalidInput, "user \(index + 1) of \(users.count): \(problem)")
            }
        }
        try await write { connection in
            for user in users {
                do {
                    try connection.run(
                        """
                        INSERT INTO users (username, password_hash, disabled, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                        user.name, user.passwordHash, user.disabled, time.microseconds, time.microseconds)
                } catch let error as SQLiteError where error.isConstraintViolation {
                    throw StoreError(.userExists, "user \"\(user.name)\" already exists")
                }
                var entry = AuditEntry.success(.userImport, username: user.name, context: context)
                entry.detail = "scheme=\(user.scheme.rawValue)" + (user.disabled ? " disabled" : "")
                try AuditChain.append(entry, at: time, on: connection)
            }
        }
    }
}
