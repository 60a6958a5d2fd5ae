/// One user to create by `user import`, checked: a valid name and a hash authd verifies,
/// already in the form it is stored in.
public struct ImportedUser: Sendable, Equatable {
    public let name: String
    /// ``PasswordHash/stored``: authd's PHC form for PBKDF2, else the hash as it came.
    public let passwordHash: String
    public let disabled: Bool
    public let scheme: HashScheme

    public init(name: String, hash: PasswordHash, disabled: Bool) {
        self.name = name
        self.passwordHash = hash.stored
        self.disabled = disabled
        self.scheme = hash.scheme
    }
}
