import AuthStore
import PostgresNIO

extension PostgresAuthStore {
    public func importedPasswordHashes() async throws -> [String] {
        let native = "$\(PHCHash.algorithm)$"
        return try await read { connection in
            try await connection.query(
                "SELECT password_hash FROM users WHERE NOT starts_with(password_hash, \(native))", logger: logger
            ).collect().map { PostgresRowReader($0).string(0) }
        }
    }

    /// Every user in one audited transaction, all or nothing.
    ///
    /// Taken names are looked for first, under the audit head's lock (every user change is
    /// audited, so no name can be taken between the check and the insert): a refusal is
    /// decided before anything is written, which the batch this runs in relies on. The
    /// users then go in with one statement.
    public func importUsers(_ users: [ImportedUser], at time: Timestamp, context: AuditContext) async throws {
        // The name is not repeated in the message: it may hold the control characters refused.
        for (index, user) in users.enumerated() {
            if let problem = User.nameProblem(user.name) {
                throw StoreError(.invalidInput, "user \(index + 1) of \(users.count): \(problem)")
            }
        }
        guard !users.isEmpty else { return }
        let names = users.map(\.name)
        _ = try await auditedTransaction { [self] connection, audit in
            let taken = try await connection.query(
                "SELECT username FROM users WHERE username = ANY(\(names)::text[]) LIMIT 1", logger: logger
            ).collect()
            if let row = taken.first {
                throw StoreError(.userExists, "user \"\(PostgresRowReader(row).string(0))\" already exists")
            }
            let hashes = users.map(\.passwordHash)
            let disabled = users.map(\.disabled)
            try await connection.run(
                """
                INSERT INTO users (username, password_hash, disabled, created_at, updated_at)
                SELECT name, hash, off, \(time.microseconds), \(time.microseconds)
                FROM unnest(\(names)::text[], \(hashes)::text[], \(disabled)::boolean[]) AS u(name, hash, off)
                """, logger: logger)
            for user in users {
                var entry = AuditEntry.success(.userImport, username: user.name, context: context)
                entry.detail = "scheme=\(user.scheme.rawValue)" + (user.disabled ? " disabled" : "")
                audit.append(entry, at: time)
            }
        }
    }
}
