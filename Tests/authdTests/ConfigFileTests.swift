import Foundation
import Testing

/// `authd serve --config FILE` and `--print-config`: flag > env > file > default.
@Suite struct ConfigFileTests {
    /// `option = value  # source` lines of `--print-config`, by option.
    private func effective(_ output: String) -> [String: (value: String, source: String)] {
        var result: [String: (String, String)] = [:]
        for line in output.split(separator: "\n") where !line.hasPrefix("#") {
            guard let match = line.wholeMatch(of: #/([a-z0-9-]+) = (.*)  # (.*)/#) else { continue }
            result[String(match.1)] = (String(match.2), String(match.3))
        }
        return result
    }

    private func write(_ sandbox: Sandbox, _ name: String, _ text: String) throws -> String {
        let path = sandbox.path(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func flagBeatsEnvironmentBeatsFileBeatsDefault() async throws {
        try await Sandbox.with { sandbox in
            let file = try write(
                sandbox, "authd.toml",
                """
                port = 1111
                host = "10.0.0.1"
                token-ttl = "2h"
                throttle-window = "10m"
                trusted-proxy = ["10.0.0.0/8", "::1/128"]
                log-level = "debug"
                """)
            let result = try await sandbox.authd(
                arguments: ["serve", "--config", file, "--print-config", "--token-ttl", "3h"],
                environment: ["AUTHD_PORT": "2222", "AUTHD_TRUSTED_PROXY": "192.168.0.0/16, 172.16.0.0/12"])
            #expect(result.status == 0, "\(result)")
            let values = effective(result.stdout)
            // An int: env over file.
            #expect(values["port"]?.value == "2222" && values["port"]?.source == "env AUTHD_PORT")
            // A string: file over default.
            #expect(values["host"]?.value == #""10.0.0.1""# && values["host"]?.source == "file \(file)")
            // A duration: flag over file; file over default.
            #expect(values["token-ttl"]?.value == #""3h""# && values["token-ttl"]?.source == "flag --token-ttl")
            #expect(
                values["throttle-window"]?.value == #""10m""# && values["throttle-window"]?.source == "file \(file)")
            #expect(values["idle-timeout"]?.value == #""30m""# && values["idle-timeout"]?.source == "default")
            // A repeatable option: env over file.
            #expect(values["trusted-proxy"]?.value == #"["192.168.0.0/16", "172.16.0.0/12"]"#)
            #expect(values["log-level"]?.value == #""debug""#)
            #expect(result.stdout.contains("# metrics-port is not set"))

            // Flag over env, for the int too.
            let flagged = try await sandbox.authd(
                arguments: ["serve", "--config", file, "--print-config", "--port", "3333"],
                environment: ["AUTHD_PORT": "2222"])
            #expect(effective(flagged.stdout)["port"]?.value == "3333")
            // Without the variable, the file's value.
            let fromFile = try await sandbox.authd(arguments: ["serve", "--config", file, "--print-config"])
            #expect(effective(fromFile.stdout)["port"]?.source == "file \(file)")
            #expect(effective(fromFile.stdout)["trusted-proxy"]?.value == #"["10.0.0.0/8", "::1/128"]"#)
            // AUTHD_CONFIG names the file as --config does.
            let byVariable = try await sandbox.authd(
                arguments: ["serve", "--print-config"], environment: ["AUTHD_CONFIG": file])
            #expect(effective(byVariable.stdout)["host"]?.value == #""10.0.0.1""#)
            // --print-config neither opens the database nor listens.
            #expect(!sandbox.fileExists(sandbox.path("authd.sqlite")))
        }
    }

    @Test func printedConfigReadsBackToTheSameValues() async throws {
        try await Sandbox.with { sandbox in
            let first = try await sandbox.authd(
                arguments: [
                    "serve", "--print-config", "--port", "0", "--logout-url", #"https://example.com/a "quoted" \ path"#,
                    "--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "fd00::/8",
                ])
            #expect(first.status == 0, "\(first)")
            let saved = try write(sandbox, "printed.toml", first.stdout)
            let second = try await sandbox.authd(arguments: ["serve", "--config", saved, "--print-config"])
            #expect(second.status == 0, "\(second)")
            let before = effective(first.stdout).mapValues(\.value)
            let after = effective(second.stdout)
            #expect(before == after.mapValues(\.value))
            #expect(after["logout-url"]?.source == "file \(saved)")
        }
    }

    @Test(arguments: [
        ("prot = 8080\n", "unknown option \"prot\""),
        ("\"a\\nb\" = 1\n", #"unknown option "a\nb""#),
        ("port = \n", "line 1"),
        ("port = true\n", "port must be a string or a number"),
        ("trusted-proxy = [true]\n", "trusted-proxy must be a string or an array of strings"),
        ("port = \"abc\"\n", "invalid port in "),
        ("token-ttl = \"8 hours\"\n", "invalid token-ttl in "),
        ("trusted-proxy = [\"10.0.0.0/33\"]\n", "invalid trusted-proxy in "),
        ("metrics-on-api-port = \"yes\"\n", "invalid metrics-on-api-port in "),
        ("metrics-on-api-port = 1\n", "invalid metrics-on-api-port in "),
    ])
    func badFilesFailWithOneLine(text: String, message: String) async throws {
        try await Sandbox.with { sandbox in
            let file = try write(sandbox, "bad.toml", text)
            let result = try await sandbox.authd(arguments: ["serve", "--config", file])
            expectFailure(result, message)
            #expect(!sandbox.fileExists(sandbox.path("authd.sqlite")))
        }
    }

    /// Every option `serve --help` lists can be set in a config file and shows in
    /// `--print-config`; only the options about the configuration itself cannot.
    @Test func everyServeOptionIsAFileKey() async throws {
        try await Sandbox.with { sandbox in
            let help = try await sandbox.authd(arguments: ["serve", "--help"])
            let listed = Set(
                help.stdout.matches(of: #/^  --([a-z0-9-]+)/#.anchorsMatchLineEndings()).map { String($0.1) }
            )
            .subtracting(["config", "print-config", "version", "help"])
            #expect(listed.count >= 15, "\(help.stdout)")
            // metrics-port has no default; give it one so every key has a value to print.
            let printed = try await sandbox.authd(arguments: ["serve", "--print-config", "--metrics-port", "9464"])
            #expect(Set(effective(printed.stdout).keys) == listed)
            var file = ""
            for key in listed.sorted() { file += "\(key) = \(effective(printed.stdout)[key]!.value)\n" }
            let saved = try write(sandbox, "all.toml", file)
            // Without the harness's AUTHD_PBKDF2_ITERATIONS, so that key too comes from the file.
            let fromFile = try await sandbox.authd(
                arguments: ["serve", "--config", saved, "--print-config"],
                environment: ["AUTHD_PBKDF2_ITERATIONS": nil])
            #expect(fromFile.status == 0, "\(fromFile)")
            #expect(effective(fromFile.stdout).count == listed.count, "\(fromFile.stdout)")
            #expect(effective(fromFile.stdout).values.allSatisfy { $0.source == "file \(saved)" }, "\(fromFile.stdout)")
        }
    }

    @Test func missingFileFailsWithOneLine() async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd(arguments: ["serve", "--config", sandbox.path("nowhere.toml")])
            expectFailure(result, "cannot read config file \(sandbox.path("nowhere.toml"))")
        }
    }

    @Test func badEnvironmentValueNamesTheVariable() async throws {
        try await Sandbox.with { sandbox in
            let result = try await sandbox.authd(
                arguments: ["serve", "--print-config"], environment: ["AUTHD_PORT": "99999"])
            expectFailure(result, "invalid AUTHD_PORT \"99999\"")
        }
    }

    /// The real server runs with the file's values: a throttle limit of 1 from the file
    /// answers the second failed login with 429.
    @Test func serveUsesTheFile() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice")
            let file = try write(sandbox, "authd.toml", "throttle-user-limit = 1\nlog-format = \"json\"\n")
            let server = try await ServedProcess(sandbox: sandbox, arguments: ["--config", file])
            let credentials = Data("alice:wrong".utf8).base64EncodedString()
            let first = try await server.request(
                "POST", "/directlink/v1/auth/login", authorization: "Basic \(credentials)")
            let second = try await server.request(
                "POST", "/directlink/v1/auth/login", authorization: "Basic \(credentials)")
            await server.stop()
            #expect(first.status == 401)
            #expect(second.status == 429)
            #expect(server.output.contains(#""message":"request""#), "JSON logs from the file")
        }
    }
}
