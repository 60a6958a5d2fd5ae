/// User accounts. Every change is audited in the same transaction (see ``AuthStorage``).
public protocol UserStore: Sendable {
    /// Number of user accounts (enabled or not).
    func userCount() async throws -> Int
    func user(named name: String) async throws -> User?
    /// All users, ordered by name.
    func users() async throws -> [User]
    /// The highest PBKDF2 iteration count among stored password hashes; nil with no users.
    /// The server makes every password check cost as much as this one (equal timing).
    func maxPasswordIterations() async throws -> Int?
    /// Creates a user; `.userExists` if the name is taken. Audited as `user_add`.
    @discardableResult
    func addUser(name: String, passwordHash: String, at time: Timestamp, context: AuditContext) async throws -> User
    /// Replaces the password hash and ends the user's sessions. Audited as `user_passwd`.
    func changePassword(name: String, passwordHash: String, at time: Timestamp, context: AuditContext) async throws
    /// Disables (ending the user's sessions) or enables a user. Audited as `user_disable` / `user_enable`.
    func setDisabled(name: String, _ disabled: Bool, at time: Timestamp, context: AuditContext) async throws
    /// Deletes a user and their sessions. Audited as `user_delete`.
    func deleteUser(name: String, at time: Timestamp, context: AuditContext) async throws

    /// The stored password hashes that are not authd's own PBKDF2-SHA256 PHC strings: hashes
    /// imported from another system whose users have not logged in since. The server reads
    /// their schemes and costs (at most once a minute) so every password check spends one
    /// check of each scheme present (equal timing).
    func importedPasswordHashes() async throws -> [String]
    /// Creates every user of `users` in one transaction, each with a `user_import` audit row
    /// (detail `scheme=…`) in the chain; all or nothing. `.userExists` (nothing written) when
    /// a name is taken; `.invalidInput` for a name the username rule refuses.
    func importUsers(_ users: [ImportedUser], at time: Timestamp, context: AuditContext) async throws
}
