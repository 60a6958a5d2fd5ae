/// authd's version: the one place it is written. It appears in `apiver` (`v1 (0.1.0)`) and
/// in `authd --version`.
public enum AuthdVersion {
    public static let current = "0.1.0"
    /// The `apiver` field of every response body.
    public static let apiVersion = "v1 (\(current))"
}
