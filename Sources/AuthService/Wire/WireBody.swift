/// The contract's response bodies, written by hand so that key order and bytes are exactly
/// what docs/api.md fixes: `status`, `description`, `apiver`, then `user`, `bearer`, `urllink`
/// where present, and `time` last.
public enum WireBody {
    /// A success body. `urllink` only for Basic logout.
    public static func success(
        description: String, user: String, bearer: String, urllink: String? = nil,
        time: String = GoTime.now()
    ) -> String {
        var body = "{\"status\":0,\"description\":\(quoted(description)),\"apiver\":\(quoted(AuthdVersion.apiVersion))"
        body += ",\"user\":\(quoted(user)),\"bearer\":\(quoted(bearer))"
        if let urllink { body += ",\"urllink\":\(quoted(urllink))" }
        body += ",\"time\":\(quoted(time))}"
        return body
    }

    /// An error body: `status` is the HTTP code, `description` its reason phrase.
    public static func error(status: Int, description: String, time: String = GoTime.now()) -> String {
        "{\"status\":\(status),\"description\":\(quoted(description)),\"apiver\":\(quoted(AuthdVersion.apiVersion)),\"time\":\(quoted(time))}"
    }

    /// A JSON string literal (RFC 8259 escaping; non-ASCII passes through as UTF-8).
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0}"..."\u{1f}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
