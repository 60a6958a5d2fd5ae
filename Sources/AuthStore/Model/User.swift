/// A user account as stored.
public struct User: Sendable, Equatable {
    public let id: Int64
    public let name: String
    /// PHC string; never shown or logged.
    public let passwordHash: String
    public let disabled: Bool
    public let createdAt: Timestamp
    public let updatedAt: Timestamp

    /// Usernames are 1–128 bytes of UTF-8 (API.md "Passwords").
    public static let maxNameBytes = 128
    /// Passwords are 1–1024 bytes of UTF-8.
    public static let maxPasswordBytes = 1024

    public static func isValidName(_ name: String) -> Bool {
        (1...maxNameBytes).contains(name.utf8.count)
    }

    public static func isValidPassword(_ password: String) -> Bool {
        (1...maxPasswordBytes).contains(password.utf8.count)
    }
}
