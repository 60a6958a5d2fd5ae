/// The costliest hash of each scheme among many: what the cost floor pads every check to,
/// and what `user import --dry-run` warns about.
public struct CostliestHashes: Sendable, Equatable {
    public private(set) var byScheme: [HashScheme: PasswordHash] = [:]

    public init() {}

    /// Keeps `hash` when it is the first of its scheme or costlier than the one kept.
    public mutating func include(_ hash: PasswordHash) {
        if let kept = byScheme[hash.scheme], kept.work >= hash.work { return }
        byScheme[hash.scheme] = hash
    }

    /// Schemes in a fixed order, each with its costliest hash.
    public var sorted: [(scheme: HashScheme, hash: PasswordHash)] {
        byScheme.keys.sorted().map { ($0, byScheme[$0]!) }
    }
}
