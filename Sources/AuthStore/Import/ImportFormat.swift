/// The two file formats `user import` reads.
public enum ImportFormat: String, Sendable, CaseIterable {
    /// `name:hash` lines as htpasswd writes them, or /etc/shadow's nine fields.
    case htpasswd
    /// JSON Lines: one `{"username":…,"password_hash":…,"disabled":…}` object per line.
    case jsonl

    /// The format of a file given none: JSON Lines when its first line that is not blank
    /// starts with `{`, else htpasswd. An htpasswd file whose first username starts with
    /// `{` needs `--format htpasswd` (its lines then fail as JSON and say so).
    public static func infer(from text: String) -> ImportFormat {
        let first = text.split(whereSeparator: \.isNewline).first { !$0.allSatisfy(\.isWhitespace) }
        return first?.drop(while: \.isWhitespace).first == "{" ? .jsonl : .htpasswd
    }
}
