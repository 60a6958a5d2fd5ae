/// How many rows refused requests that checked no secret may write (docs/api.md "Audit trail").
///
/// Per kind (event and reason) and window: up to `perAddress` rows of their own from each
/// client address (IPv6 grouped by /64), up to `overall` in all; everything past that is
/// counted and written as one row per kind and window carrying the count.
public struct RefusalAuditPolicy: Sendable, Equatable {
    /// Length of one counting window.
    public var window: Duration
    /// Rows of their own per kind and window from one client address.
    public var perAddress: Int
    /// Rows of their own per kind and window from all addresses together.
    public var overall: Int

    public init(window: Duration = .seconds(10), perAddress: Int = 3, overall: Int = 20) {
        self.window = window
        self.perAddress = perAddress
        self.overall = overall
    }
}
