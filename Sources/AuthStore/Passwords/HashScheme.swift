/// The password hash schemes authd verifies at login. Each scheme is one family for the
/// cost floor (every login spends one check of each scheme present in the database).
///
/// The raw value is the name `user list` and `user import --dry-run` show.
public enum HashScheme: String, Sendable, CaseIterable, Comparable {
    /// authd's own: PBKDF2-HMAC-SHA256 in PHC form. Django, passlib, Kratos and Keycloak
    /// PBKDF2-SHA256 hashes are rewritten into it at import.
    case pbkdf2SHA256 = "pbkdf2-sha256"
    case pbkdf2SHA512 = "pbkdf2-sha512"
    case pbkdf2SHA1 = "pbkdf2-sha1"
    case bcrypt
    case sha256Crypt = "sha256-crypt"
    case sha512Crypt = "sha512-crypt"
    case yescrypt
    case argon2i
    case argon2id

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
