/// The characters that act on a terminal or on the display order of text instead of being
/// shown: control characters (general category Cc: C0, DEL and C1, where U+009B is an
/// 8-bit CSI) and the bidirectional formatting controls (embeddings, overrides, isolates,
/// directional marks; U+202E makes `gpj.exe` read as `exe.jpg`).
///
/// One definition for the username rule (no such character in a name) and for the CLI's
/// output (shown escaped), so what a name may not hold and what a table escapes agree.
public enum ControlCharacters {
    public static func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // Cc
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true  // bidi controls
        default: false
        }
    }
}
