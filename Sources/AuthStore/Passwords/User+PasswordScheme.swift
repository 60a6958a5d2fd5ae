extension User {
    /// The scheme of the stored hash, as `user list` shows it: `pbkdf2-sha256` for authd's
    /// own, another scheme for an imported hash whose user has not logged in since (the
    /// first login replaces it), `unreadable` for a value no scheme parses.
    public var passwordScheme: String {
        if PHCHash(passwordHash) != nil { return HashScheme.pbkdf2SHA256.rawValue }
        return (try? PasswordHash(parsing: passwordHash))?.scheme.rawValue ?? "unreadable"
    }
}
