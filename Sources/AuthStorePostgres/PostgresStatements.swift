import AuthStore
import NIOCore
import PostgresNIO

/// The statements on the hot paths (verify, logout, and every audited write), prepared once
/// per connection: PostgreSQL then skips parsing and planning them on every request, which
/// is most of its work for statements this small.
enum PostgresStatements {
    static let sessionColumns =
        "s.id, u.username, s.created_at, s.expires_at, s.last_seen_at, s.address, s.user_agent"

    /// A row of ``sessionColumns`` followed by the token hash.
    static func sessionWithTokenHash(from row: PostgresRow) -> (tokenHash: [UInt8], session: Session) {
        (PostgresRowReader(row).bytes(7), PostgresAuthStore.session(from: row))
    }

    /// The sessions of the given token hashes (SHA-256), each with its token hash: the
    /// lookups of one verify batch (``PostgresSessionFinder``).
    struct FindSessions: PostgresPreparedStatement {
        static let name = "authd_find_sessions"
        static let sql = """
            SELECT \(sessionColumns), s.token_hash
            FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ANY($1::bytea[])
            """
        typealias Row = (tokenHash: [UInt8], session: Session)
        let tokenHashes: [[UInt8]]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(tokenHashes.map { ByteBuffer(bytes: $0) })
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { sessionWithTokenHash(from: row) }
    }

    /// Deletes the sessions of the given tokens and returns each with its token hash
    /// (the logouts of one batch): of two replicas ending one token, exactly one gets the row.
    struct EndSessions: PostgresPreparedStatement {
        static let name = "authd_end_sessions"
        static let sql = """
            WITH ended AS (DELETE FROM sessions WHERE token_hash = ANY($1::bytea[]) RETURNING *)
            SELECT \(sessionColumns.replacingOccurrences(of: "s.", with: "e.")), e.token_hash
            FROM ended e JOIN users u ON u.id = e.user_id
            """
        typealias Row = (tokenHash: [UInt8], session: Session)
        let tokenHashes: [[UInt8]]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(tokenHashes.map { ByteBuffer(bytes: $0) })
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { sessionWithTokenHash(from: row) }
    }

    /// Locks the chain's head until the transaction ends and reads it.
    struct LockHead: PostgresPreparedStatement {
        static let name = "authd_lock_head"
        static let sql = "SELECT last_id, last_time, last_hash FROM audit_head WHERE id = 1 FOR UPDATE"
        typealias Row = AuditChainTip

        func makeBindings() throws -> PostgresBindings { PostgresBindings() }

        func decodeRow(_ row: PostgresRow) throws -> AuditChainTip {
            let row = PostgresRowReader(row)
            return AuditChainTip(
                id: row.int64(0), time: row.isNull(1) ? nil : Timestamp(microseconds: row.int64(1)),
                hash: row.bytes(2))
        }
    }

    /// Inserts audit rows, one array per column, and moves the head to the last of them: one
    /// statement (PostgreSQL runs a data-modifying WITH to completion whether or not the
    /// main statement reads it).
    struct AppendAudit: PostgresPreparedStatement {
        static let name = "authd_append_audit"
        static let sql = """
            WITH inserted AS (
                INSERT INTO audit_log (id, time, event, outcome, reason, username, session, address, user_agent,
                    request_id, count, detail, hash)
                SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                    $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::text[], $13::bytea[]))
            UPDATE audit_head SET last_id = $14, last_time = $15, last_hash = $16 WHERE id = 1
            """
        typealias Row = Void
        let rows: [AuditRecord]
        let tip: AuditChainTip

        func makeBindings() throws -> PostgresBindings {
            let entries = rows.map(\.entry)
            var bindings = PostgresBindings(capacity: 16)
            bindings.append(rows.map(\.id))
            bindings.append(rows.map(\.time.microseconds))
            bindings.append(entries.map(\.event.rawValue))
            bindings.append(entries.map(\.outcome.rawValue))
            bindings.append(entries.map { $0.reason?.rawValue ?? "" })
            bindings.append(entries.map(\.username))
            bindings.append(entries.map(\.session))
            bindings.append(entries.map(\.context.address))
            bindings.append(entries.map(\.context.userAgent))
            bindings.append(entries.map(\.context.requestID))
            bindings.append(entries.map { Int64($0.count) })
            bindings.append(entries.map(\.detail))
            bindings.append(rows.map { ByteBuffer(bytes: $0.hash) })
            bindings.append(tip.id)
            bindings.append(tip.time?.microseconds)
            bindings.append(ByteBuffer(bytes: tip.hash))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }
}

extension PostgresConnection {
    /// Runs a prepared statement and returns every row.
    func rows<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws
        -> [Statement.Row]
    {
        var rows: [Statement.Row] = []
        for try await row in try await execute(statement, logger: logger) {
            rows.append(row)
        }
        return rows
    }
}
