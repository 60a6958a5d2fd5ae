/// An argon2i or argon2id PHC string (`$argon2id$v=19$m=65536,t=3,p=4$salt$hash`, Authelia's
/// default), stored as it came and checked by libargon2. Django's form, the same string
/// behind an `argon2` prefix, is read too and stored without it.
public struct Argon2Hash: Sendable, Equatable {
    public let scheme: HashScheme
    /// Memory in KiB, passes, lanes.
    public let m: Int
    public let t: Int
    public let p: Int
    public let string: String

    /// One check may allocate at most 256 MiB, run at most 10 passes, on at most 16 lanes:
    /// beyond that a handful of logins would stall the hashing pool or exhaust memory.
    public static let maxMemoryKiB = 256 * 1024
    public static let maxPasses = 10
    public static let maxLanes = 16

    var work: Double { Double(m) * Double(t) }

    public var cost: String { "m=\(m),t=\(t),p=\(p)" }

    func matches(_ password: [UInt8]) -> Bool {
        Argon2.matches(password, encoded: string, variant: scheme == .argon2id ? .argon2id : .argon2i)
    }

    /// `nil` when `text` is not an argon2i/argon2id string.
    static func parse(_ text: String) throws(HashProblem) -> Argon2Hash? {
        let encoded = text.hasPrefix("argon2$argon2") ? String(text.dropFirst("argon2".count)) : text
        var parts = encoded.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts[0].isEmpty else { return nil }
        let scheme: HashScheme
        switch parts[1] {
        case "argon2id": scheme = .argon2id
        case "argon2i": scheme = .argon2i
        case "argon2d": throw .unrecognised(prefix: "$argon2d$ (not used for passwords)")
        default: return nil
        }
        let prefix = "$\(parts[1])$"
        if parts.count == 6, parts[2].hasPrefix("v=") {
            guard parts[2] == "v=19" || parts[2] == "v=16" else { throw .malformed(scheme: prefix, "unknown version") }
            parts.remove(at: 2)
        }
        guard parts.count == 5, !parts[3].isEmpty, !parts[4].isEmpty else {
            throw .malformed(scheme: prefix, "expected \(prefix)v=19$m=M,t=T,p=P$salt$hash")
        }
        var values: [String: Int] = [:]
        for field in parts[2].split(separator: ",") {
            let pair = field.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let value = Int(pair[1]), value > 0 else {
                throw .malformed(scheme: prefix, "parameters must be m=M,t=T,p=P")
            }
            values[String(pair[0])] = value
        }
        guard values.count == 3, let m = values["m"], let t = values["t"], let p = values["p"] else {
            throw .malformed(scheme: prefix, "parameters must be m=M,t=T,p=P")
        }
        guard m <= maxMemoryKiB, t <= maxPasses, p <= maxLanes else {
            throw .outOfLimits(
                scheme: prefix, "m ≤ \(maxMemoryKiB) KiB (256 MiB), t ≤ \(maxPasses), p ≤ \(maxLanes); got \(parts[2])")
        }
        return Argon2Hash(scheme: scheme, m: m, t: t, p: p, string: encoded)
    }
}
