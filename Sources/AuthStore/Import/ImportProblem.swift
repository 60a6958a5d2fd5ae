/// One reason a line of an import file cannot be imported. Messages never hold a whole
/// password hash, at most its scheme prefix.
public struct ImportProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line number in the file.
    public let line: Int
    public let message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
