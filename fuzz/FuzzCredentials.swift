// libFuzzer entry for `Credentials.parse` (Sources/AuthService/Wire/Credentials.swift).
// Built by fuzz/build.sh together with copies of Credentials.swift, Base64.swift, User.swift
// and Timestamp.swift as a single module; never part of the Swift package or `swift test`.
import Foundation

/// Checks the invariants of one parse: whatever the input, `parse` returns or throws a
/// `ParseError` (a crash/trap is a finding), and an accepted Basic credential must be
/// exactly what the header carried.
private func check(_ header: String, decodedPayload: [UInt8]?) {
    let result: Credentials
    do {
        result = try Credentials.parse(header)
    } catch {
        return  // every refusal is a typed ParseError (the signature guarantees it)
    }
    switch result {
    case .basic(let username, let password):
        let user = Array(username.utf8)
        let pass = Array(password.utf8)
        precondition(!user.isEmpty, "accepted an empty username")
        precondition(user.count <= 128, "accepted a username over 128 bytes")
        precondition(user.count <= User.maxNameBytes)
        precondition(!pass.isEmpty, "accepted an empty password")
        precondition(pass.count <= User.maxPasswordBytes, "accepted a password over the limit")
        precondition(!user.contains(UInt8(ascii: ":")), "username contains ':'")
        precondition(!user.contains(where: { $0 < 0x20 || $0 == 0x7f }), "control character in username")
        if let decodedPayload {
            precondition(
                user + [UInt8(ascii: ":")] + pass == decodedPayload,
                "user:password does not round-trip to the decoded payload")
        }
        // Independently of how we built the header, the payload must decode to the same bytes.
        let payload = header.firstIndex(of: " ").map { header[header.index(after: $0)...].drop { $0 == " " } }
        if let payload, let again = Base64.decode(payload) {
            precondition(again == user + [UInt8(ascii: ":")] + pass, "round-trip against re-decoded header failed")
        } else {
            preconditionFailure("accepted Basic credentials whose payload does not decode")
        }
    case .bearer(let token):
        precondition(!token.isEmpty, "accepted an empty bearer token")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCredentials(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // 1. The bytes as the whole header value (lossy UTF-8 repair, as an HTTP layer would give a String).
    let raw = String(decoding: bytes, as: UTF8.self)
    check(raw, decodedPayload: nil)
    // 2. "Basic " + the bytes as they come (mostly invalid Base64).
    check("Basic " + raw, decodedPayload: nil)
    // 3. "Basic " + base64(bytes): exercises everything after decoding, including
    //    non-UTF-8, control characters, colons and the length limits.
    let encoded = Data(bytes).base64EncodedString()
    check("Basic " + encoded, decodedPayload: bytes)
    // Same, unpadded, and with another scheme case.
    check("bAsIc " + Base64.encodeUnpadded(bytes), decodedPayload: bytes)
    return 0
}
