import Testing

@testable import AuthStore
@testable import AuthStorePostgres

/// `--db postgres://…`: libpq's URL form, parsed strictly, the password never shown.
@Suite struct PostgresURLTests {
    @Test func aFullURLParses() throws {
        let url = try PostgresURL(
            "postgresql://auth%40d:s3cr%2Ft@db.example.com:6543/auth_db?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(url.user == "auth@d")
        #expect(url.password == "s3cr/t")
        #expect(url.host == "db.example.com")
        #expect(url.port == 6543)
        #expect(url.database == "auth_db")
        #expect(url.sslMode == .verifyFull)
        #expect(url.sslRootCert == "/etc/ca.pem")
    }

    @Test func theRedactedFormNeverHoldsThePassword() throws {
        let url = try PostgresURL("postgres://authd:hunter2@db.example.com/authd")
        #expect(!url.redacted.contains("hunter2"))
        #expect(url.redacted == "postgres://authd:***@db.example.com:5432/authd?sslmode=verify-full")
    }

    @Test func tlsIsVerifiedByDefaultExceptOnLoopback() throws {
        #expect(try PostgresURL("postgres://a@db.example.com/d").sslMode == .verifyFull)
        #expect(try PostgresURL("postgres://a@10.0.0.5/d").sslMode == .verifyFull)
        #expect(try PostgresURL("postgres://a@127.0.0.1/d").sslMode == .disable)
        #expect(try PostgresURL("postgres://a@localhost/d").sslMode == .disable)
        #expect(try PostgresURL("postgres://a@[::1]:5433/d").port == 5433)
    }

    @Test(arguments: [
        "mysql://a@h/d",  // another engine
        "postgres://h/d",  // no user
        "postgres://a@h",  // no database
        "postgres://a@h/",  // empty database
        "postgres://a@h:0/d", "postgres://a@h:70000/d", "postgres://a@h:x/d",  // ports
        "postgres://a@h/d?sslmode=prefer",  // downgradable
        "postgres://a@h/d?sslmode=allow",
        "postgres://a@h/d?sslmode=bogus",
        "postgres://a@h/d?sslmode=verify-ca",  // verify-ca without a root certificate
        "postgres://a@h/d?connect_timeout=5",  // unknown parameter
        "postgres://a@h/d?sslmode",  // no value
        "postgres://a@h/d?sslmode=disable&sslmode=require",  // twice
        "postgres://a@h1,h2/d",  // several hosts
        "postgres://a:%zz@h/d",  // bad escape
        "postgres://a@h/d#x",  // fragment
    ])
    func malformedURLsAreRefused(_ text: String) {
        #expect(throws: StoreError.self) { try PostgresURL(text) }
    }

    @Test func aRefusalNeverRepeatsThePassword() {
        do {
            _ = try PostgresURL("postgres://a:hunter2@h/d?sslmode=prefer")
            Issue.record("accepted sslmode=prefer")
        } catch {
            #expect(!error.description.contains("hunter2"))
            #expect(error.description.contains("prefer"))
        }
    }
}
