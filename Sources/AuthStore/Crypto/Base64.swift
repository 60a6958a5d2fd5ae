import Foundation

/// The two unpadded Base64 flavours authd writes: standard (PHC strings) and URL-safe
/// (bearer tokens).
public enum Base64 {
    /// Standard alphabet, no `=` padding (the PHC string format).
    public static func encodeUnpadded(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.last == "=" { text.removeLast() }
        return text
    }

    /// URL-safe alphabet (`-`, `_`), no padding: 32 bytes give a 43-character token.
    public static func encodeURLUnpadded(_ bytes: [UInt8]) -> String {
        String(encodeUnpadded(bytes).map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    /// Decodes standard Base64 with or without padding; `nil` for anything else (other
    /// characters, whitespace, impossible lengths).
    public static func decode(_ text: Substring) -> [UInt8]? {
        var padded = String(text)
        switch padded.utf8.count % 4 {
        case 0: break
        case 2: padded += "=="
        case 3: padded += "="
        default: return nil
        }
        guard let data = Data(base64Encoded: padded) else { return nil }
        return [UInt8](data)
    }
}
