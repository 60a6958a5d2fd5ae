/// A user account as stored.
public struct User: Sendable, Equatable {
    public let id: Int64
    public let name: String
    /// PHC string; never shown or logged.
    public let passwordHash: String
    public let disabled: Bool
    public let createdAt: Timestamp
    public let updatedAt: Timestamp

    package init(id: Int64, name: String, passwordHash: String, disabled: Bool, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.name = name
        self.passwordHash = passwordHash
        self.disabled = disabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Usernames are 1–128 bytes of UTF-8 (docs/api.md "Credentials").
    public static let maxNameBytes = 128
    /// Passwords are 1–1024 bytes of UTF-8.
    public static let maxPasswordBytes = 1024

    /// The one username rule, applied by the HTTP API and by every command that creates a
    /// user (see ``nameProblem(_:)``).
    public static func isValidName(_ name: String) -> Bool {
        nameProblem(name) == nil
    }

    /// Why `name` cannot be a username, as a one-line message (`nil` when it can).
    ///
    /// A name must be 1–128 bytes of UTF-8 with no control characters and no leading or
    /// trailing white space. The name a client logs in with is the name the application
    /// behind a reverse proxy sees in `X-Auth-User`, and HTTP trims header values: `alice `
    /// would reach it as `alice`, someone else's account. Control characters would forge
    /// lines in logs and tables; bidirectional controls would make one name display as
    /// another.
    public static func nameProblem(_ name: String) -> String? {
        guard (1...maxNameBytes).contains(name.utf8.count) else {
            return "username must be 1 to \(maxNameBytes) bytes"
        }
        guard !name.unicodeScalars.contains(where: ControlCharacters.contains) else {
            return "username must not contain control characters"
        }
        if let first = name.unicodeScalars.first, let last = name.unicodeScalars.last,
            first.properties.isWhitespace || last.properties.isWhitespace
        {
            return "username must not begin or end with white space"
        }
        return nil
    }

    public static func isValidPassword(_ password: String) -> Bool {
        (1...maxPasswordBytes).contains(password.utf8.count)
    }
}
