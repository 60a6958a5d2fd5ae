import Foundation
import Testing

@testable import AuthStore

/// Found by these CLI tests, which open and close many stores in one process: a store that
/// was closed and is released later must not close anything else. (`SQLiteConnection.close()`
/// ran again from `deinit` on the freed handle, closing whichever connection had reused that
/// memory: "bad parameter or other API misuse", or a segfault.) Belongs with the store's
/// tests; it lives here because this is where it showed.
@Suite("store lifecycle")
struct StoreLifecycleTests {
    @Test("a closed store, released later, does not close another store's connections")
    func closeThenRelease() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            for _ in 0..<20 {
                var first: SQLiteAuthStore? = try SQLiteAuthStore.open(path: sandbox.db)
                await first?.close()
                let second = try SQLiteAuthStore.open(path: sandbox.db)
                // Released now, after `second` may have been given the memory `first` freed.
                first = nil
                _ = first
                #expect(try await second.users().map(\.name) == ["alice"])
                #expect(try await second.userCount() == 1)
                await second.close()
            }
        }
    }
}
