/// What `authd migrate status` reports for one migration.
public struct MigrationStatus: Sendable, Equatable {
    public let version: Int
    public let name: String
    /// When it was applied; `nil` while pending.
    public let appliedAt: Timestamp?

    package init(version: Int, name: String, appliedAt: Timestamp?) {
        self.version = version
        self.name = name
        self.appliedAt = appliedAt
    }

    public var isApplied: Bool { appliedAt != nil }
}
