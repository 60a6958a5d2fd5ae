import Foundation
import Testing

@testable import AuthService

/// The cap's default; the cap itself is tested on the real binary (authdTests), since the
/// in-process test server does not pass it on.
@Suite struct ConnectionLimitTests {
    @Test func theDefaultCapStaysBelowTheOpenFileLimit() {
        #expect(ConnectionLimit.default(fileLimit: 1024) == 1024 - ConnectionLimit.reserved)
        #expect(ConnectionLimit.default(fileLimit: 65_536) == 65_536 - ConnectionLimit.reserved)
        #expect(ConnectionLimit.default(fileLimit: 100) == ConnectionLimit.minimum)
        #expect(ConnectionLimit.maximum(fileLimit: 1024) == 1024 - ConnectionLimit.reserved)
        #expect(ConnectionLimit.maximum(fileLimit: nil) == nil)
    }
}
