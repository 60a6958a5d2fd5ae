import AuthStore

/// What an `Authorization` header carries, parsed strictly.
///
/// Written by hand (it is small) because the contract wants every malformed form to be a
/// 400: the scheme is case-insensitive (RFC 9110), the Basic payload must be canonical
/// Base64 of `user:password` in valid UTF-8, the user a valid username by the model's one
/// rule (``User/isValidName(_:)``: the CLI creates users by the same rule), the password
/// within its limit.
public enum Credentials: Equatable, Sendable {
    case basic(username: String, password: String)
    case bearer(token: String)

    /// Why a header was refused; all of them answer 400.
    public enum ParseError: Error, Equatable, Sendable {
        case missing, unknownScheme, badBase64, missingColon, emptyUsername, notUTF8
        /// Breaks the username rule: too long, a control character, leading or trailing white space.
        case invalidUsername
        case passwordTooLong, emptyPassword, emptyToken
    }

    /// Parses the value of an `Authorization` header (`nil` when absent).
    public static func parse(_ header: String?) throws(ParseError) -> Credentials {
        guard let header, !header.isEmpty else { throw .missing }
        let (scheme, payload) = split(header)
        switch scheme.lowercased() {
        case "basic": return try parseBasic(payload)
        case "bearer":
            guard !payload.isEmpty else { throw .emptyToken }
            return .bearer(token: String(payload))
        default: throw .unknownScheme
        }
    }

    private static func split(_ header: String) -> (Substring, Substring) {
        guard let space = header.firstIndex(of: " ") else { return (Substring(header), "") }
        let payload = header[header.index(after: space)...].drop { $0 == " " }
        return (header[..<space], payload)
    }

    private static func parseBasic(_ payload: Substring) throws(ParseError) -> Credentials {
        guard !payload.isEmpty, let bytes = Base64.decode(payload) else { throw .badBase64 }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { throw .missingColon }
        let userBytes = bytes[..<colon]
        let passwordBytes = bytes[(colon + 1)...]
        guard !userBytes.isEmpty else { throw .emptyUsername }
        // Bounded before decoding, so a huge header costs no Unicode work.
        guard userBytes.count <= User.maxNameBytes else { throw .invalidUsername }
        guard !passwordBytes.isEmpty else { throw .emptyPassword }
        guard passwordBytes.count <= User.maxPasswordBytes else { throw .passwordTooLong }
        guard let username = String(validating: userBytes, as: UTF8.self),
            let password = String(validating: passwordBytes, as: UTF8.self)
        else { throw .notUTF8 }
        // `alice ` would reach the application behind a proxy as `alice` (HTTP trims header
        // values): a name no user can have is refused as malformed, before any lookup.
        guard User.isValidName(username) else { throw .invalidUsername }
        return .basic(username: username, password: password)
    }
}
