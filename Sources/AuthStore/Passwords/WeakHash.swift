/// Recognises hashes of schemes too weak to keep, so the refusal names the scheme instead
/// of calling it unknown: a fast unsalted or barely salted digest is cracked offline in
/// hours, and carrying it over would keep it at rest until the user's next login.
enum WeakHash {
    /// The scheme's name when `text` is a weak hash, else `nil`.
    static func scheme(of text: String) -> String? {
        if text.hasPrefix("$1$") { return "md5-crypt ($1$)" }
        if text.hasPrefix("$apr1$") { return "apr1 ($apr1$, Apache MD5)" }
        if text.hasPrefix("$md5") { return "Sun md5-crypt ($md5$)" }
        if text.hasPrefix("$3$") { return "NT hash ($3$)" }
        if text.hasPrefix("{SHA}") { return "{SHA} (unsalted SHA-1)" }
        if text.hasPrefix("{SSHA}") { return "{SSHA} (salted SHA-1)" }
        if text.hasPrefix("{SSHA256}") || text.hasPrefix("{SSHA512}") || text.hasPrefix("{MD5}")
            || text.hasPrefix("{SMD5}") || text.hasPrefix("{CRYPT}")
        {
            return String(text.prefix { $0 != "}" }) + "}"
        }
        if [32, 40, 64, 128].contains(text.utf8.count), text.allSatisfy(\.isHexDigit) {
            return "bare hex digest (\(text.utf8.count) hex digits, unsalted)"
        }
        if text.utf8.count == 13, text.allSatisfy(CryptHash.isCryptCharacter) {
            return "DES crypt"
        }
        if text.utf8.count == 20, text.hasPrefix("_"), text.dropFirst().allSatisfy(CryptHash.isCryptCharacter) {
            return "BSDi extended DES crypt"
        }
        return nil
    }
}
