import AuthService
import Foundation
import Testing

@Suite("authd --version")
struct VersionTests {
    @Test("prints the version from AuthdVersion.current")
    func version() async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd(arguments: ["--version"])
            expectSuccess(result, stdout: "\(AuthdVersion.current)\n")
        }
    }
}
