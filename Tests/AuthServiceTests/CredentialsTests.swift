import Foundation
import Testing

@testable import AuthService

@Suite struct CredentialsTests {
    func basic(_ raw: String) -> String {
        "Basic " + Data(raw.utf8).base64EncodedString()
    }

    func basic(bytes: [UInt8]) -> String {
        "Basic " + Data(bytes).base64EncodedString()
    }

    @Test func basicSplitsAtTheFirstColon() throws {
        #expect(try Credentials.parse(basic("alice:pa:ss")) == .basic(username: "alice", password: "pa:ss"))
    }

    @Test(arguments: ["Basic", "basic", "BASIC", "bAsIc"])
    func schemeIsCaseInsensitive(_ scheme: String) throws {
        let header = scheme + " " + Data("u:p".utf8).base64EncodedString()
        #expect(try Credentials.parse(header) == .basic(username: "u", password: "p"))
    }

    @Test func utf8CredentialsAreAccepted() throws {
        #expect(try Credentials.parse(basic("jürgen:pässwörd")) == .basic(username: "jürgen", password: "pässwörd"))
    }

    @Test func bearer() throws {
        #expect(try Credentials.parse("Bearer abc") == .bearer(token: "abc"))
        #expect(try Credentials.parse("bearer abc") == .bearer(token: "abc"))
    }

    @Test func refusals() {
        let cases: [(String?, Credentials.ParseError)] = [
            (nil, .missing),
            ("", .missing),
            ("Digest abc", .unknownScheme),
            ("Basic", .badBase64),
            ("Basic !!!!", .badBase64),
            ("Basic " + Data("nocolon".utf8).base64EncodedString(), .missingColon),
            (basic(":password"), .emptyUsername),
            (basic("user:"), .emptyPassword),
            (basic(String(repeating: "u", count: 129) + ":p"), .invalidUsername),
            (basic("u:" + String(repeating: "p", count: 1025)), .passwordTooLong),
            (basic(bytes: [0x61, 0xff, 0x3a, 0x70]), .notUTF8),
            (basic(bytes: [0x61, 0x3a, 0xc3, 0x28]), .notUTF8),
            (basic("a\nb:p"), .invalidUsername),
            (basic("alice :p"), .invalidUsername),
            (basic(" alice:p"), .invalidUsername),
            (basic("alice\u{A0}:p"), .invalidUsername),  // no-break space
            (basic("alice\u{3000}:p"), .invalidUsername),  // ideographic space
            (basic("al\u{85}ice:p"), .invalidUsername),  // C1 control NEL
            (basic("al\u{202E}ice:p"), .invalidUsername),  // right-to-left override
            (basic("al\u{2066}ice:p"), .invalidUsername),  // left-to-right isolate
            ("Bearer", .emptyToken),
            ("Bearer ", .emptyToken),
        ]
        for (header, expected) in cases {
            #expect(throws: expected, "\(header ?? "nil")") { try Credentials.parse(header) }
        }
    }

    @Test func limitsAreInclusive() throws {
        let name = String(repeating: "u", count: 128)
        let password = String(repeating: "p", count: 1024)
        #expect(try Credentials.parse(basic("\(name):\(password)")) == .basic(username: name, password: password))
    }
}
