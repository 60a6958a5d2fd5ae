import AuthStore
import Foundation
import PropertyBased
import Testing

@testable import AuthService

/// Properties of the code that reads what clients send: it never traps, and what it
/// accepts is exactly what was sent.
@Suite struct ParserPropertyTests {
    let anyBytes = Gen<UInt8>.value(in: 0...255).array(of: 0...300)

    @Test func anyHeaderValueParsesOrFailsWithoutTrapping() async {
        await propertyCheck(count: 500, input: anyBytes) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? Credentials.parse(text)
            _ = try? Credentials.parse("Basic " + text)
            _ = try? Credentials.parse("Bearer " + text)
        }
    }

    @Test func anyBasicPayloadIsEitherRefusedOrSplitExactlyAtTheFirstColon() async {
        await propertyCheck(count: 500, input: anyBytes) { bytes in
            let header = "Basic " + Data(bytes).base64EncodedString()
            guard case .basic(let username, let password)? = try? Credentials.parse(header) else { return }
            #expect(Array(username.utf8) + [UInt8(ascii: ":")] + Array(password.utf8) == bytes)
            #expect(!username.contains(":"))
        }
    }

    @Test func validCredentialsRoundTrip() async {
        let name = Gen.character(in: " "..."\u{2FF}").string(of: 1...40)
        let password = Gen.character(in: " "..."\u{D7FF}").string(of: 1...60)
        await propertyCheck(count: 300, input: name, password) { name, password in
            let name = name.replacingOccurrences(of: ":", with: "_")
            // Names breaking the username rule (control characters, white space at either
            // end) are refused on purpose, see CredentialsTests.
            guard User.isValidName(name), password.utf8.count <= 1024 else { return }
            let header = "Basic " + Data("\(name):\(password)".utf8).base64EncodedString()
            #expect((try? Credentials.parse(header)) == .basic(username: name, password: password))
        }
    }

    @Test func goTimeAlwaysHasTheShape() async {
        let seconds = Gen.int(in: 0...4_102_444_800)
        let nanoseconds = Gen.int(in: 0...999_999_999)
        let monotonic = Gen.int64(in: 0...(Int64(1) << 50))
        let pattern = #/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{0,8}[1-9])? \+0000 UTC m=\+\d+\.\d{9}$/#
        await propertyCheck(count: 500, input: seconds, nanoseconds, monotonic) { seconds, nanoseconds, monotonic in
            let text = GoTime.format(
                GoTime.Instant(seconds: seconds, nanoseconds: nanoseconds, monotonicNanoseconds: monotonic),
                localZone: false)
            #expect((try? pattern.wholeMatch(in: text)) != nil, "\(text)")
        }
    }
}
