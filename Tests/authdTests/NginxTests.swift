import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// nginx from Debian's packages in front of the real `authd serve`, configured with the
/// shipped `deploy/nginx/authd-locations.conf`: a protected location answers 401 without
/// a token and 200 with one, and the application behind it receives `X-Auth-User`.
///
/// Needs `nginx` on the PATH or in /usr/sbin (the README's test command installs it).
@Suite(.timeLimit(.minutes(3))) struct NginxTests {
    let password = "correct horse battery staple"

    @Test func authRequestProtectsALocation() async throws {
        try await Sandbox.with { sandbox in
            try await sandbox.addUser("alice", password: password)
            // nginx reaches authd from 127.0.0.2 (proxy_bind) and the test client connects
            // from 127.0.0.1, so the audited address tells which one authd believed.
            let authd = try await ServedProcess(sandbox: sandbox, arguments: ["--trusted-proxy", "127.0.0.2/32"])
            let nginx = try await NginxProcess(sandbox: sandbox, authdPort: authd.port)
            defer { nginx.stop() }

            // No token, a made-up token: nginx's auth_request gets 401 and answers 401.
            #expect(try await nginx.request("/app/hello").status == 401)
            #expect(try await nginx.request("/app/hello", authorization: "Bearer not-a-token").status == 401)

            // Log in through nginx; the token opens the protected location.
            let credentials = Data("alice:\(password)".utf8).base64EncodedString()
            // A forged X-Forwarded-For. nginx, the edge, replaces it; authd would also skip it,
            // since it takes the right-most address that is not a trusted proxy, so this
            // guards the pair rather than the snippet alone.
            let login = try await nginx.request(
                "/directlink/v1/auth/login", method: "POST", authorization: "Basic \(credentials)",
                extraHeaders: ["X-Forwarded-For": "203.0.113.9"])
            #expect(login.status == 200)
            let json = try JSONSerialization.jsonObject(with: Data(login.body.utf8)) as? [String: Any]
            let token = try #require(json?["bearer"] as? String)
            let allowed = try await nginx.request("/app/hello", authorization: "Bearer \(token)")
            #expect(allowed.status == 200)
            // The application gets the user and not the token.
            #expect(allowed.body == "app sees user=alice authorization=\n")
            // A user name sent by the client is replaced, not passed through.
            let forged = try await nginx.request(
                "/app/hello", authorization: "Bearer \(token)", extraHeaders: ["X-Auth-User": "root"])
            #expect(forged.body == "app sees user=alice authorization=\n")

            // After logout the same token is refused again.
            let logout = try await nginx.request(
                "/directlink/v1/auth/logout", method: "POST", authorization: "Bearer \(token)")
            #expect(logout.status == 200)
            #expect(try await nginx.request("/app/hello", authorization: "Bearer \(token)").status == 401)

            // authd audited the client's address, which only nginx's X-Forwarded-For carries:
            // not nginx's own address and not the one the client forged.
            let audit = try await sandbox.authd("audit", "--event", "login", "--event", "logout", "--format", "csv")
            let rows = audit.stdout.split(separator: "\n").dropFirst()
            #expect(rows.count == 2, "\(audit.stdout)")
            #expect(rows.allSatisfy { $0.contains(",127.0.0.1,") }, "\(audit.stdout)")
            #expect(!audit.stdout.contains("127.0.0.2") && !audit.stdout.contains("203.0.113.9"), "\(audit.stdout)")
            await authd.stop()
        }
    }
}

/// nginx in the foreground, as root without a master process so it never drops to a user
/// that cannot read the sandbox. Its site: the shipped locations file, upstream `authd` at
/// the test server, and upstream `app` a second server block that echoes `X-Auth-User`.
final class NginxProcess: @unchecked Sendable {
    // @unchecked: `process` is started once in init and only terminated afterwards.
    private let process = Process()
    let port: Int

    static var binary: URL? {
        let candidates =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/usr/local/sbin", "/sbin"]
        return candidates.map { URL(filePath: $0).appending(path: "nginx") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    init(sandbox: Sandbox, authdPort: Int) async throws {
        let binary = try #require(Self.binary, "nginx not found: install it (apt-get install -y nginx)")
        port = try FreePort.find()
        let appPort = try FreePort.find()
        let locations = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "deploy/nginx/authd-locations.conf").path
        let prefix = sandbox.path("nginx")
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
        let config = """
            daemon off;
            master_process off;
            pid \(prefix)/nginx.pid;
            error_log \(prefix)/error.log warn;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(prefix)/body;
                proxy_temp_path \(prefix)/proxy;
                fastcgi_temp_path \(prefix)/fastcgi;
                uwsgi_temp_path \(prefix)/uwsgi;
                scgi_temp_path \(prefix)/scgi;
                upstream authd { server 127.0.0.1:\(authdPort); keepalive 4; }
                proxy_bind 127.0.0.2;
                upstream app { server 127.0.0.1:\(appPort); }
                limit_conn_zone $binary_remote_addr zone=authd_per_ip:1m;
                server {
                    listen 127.0.0.1:\(port);
                    include \(locations);
                }
                server {
                    listen 127.0.0.1:\(appPort);
                    location / { default_type text/plain; return 200 "app sees user=$http_x_auth_user authorization=$http_authorization\\n"; }
                }
            }
            """
        try config.write(toFile: "\(prefix)/nginx.conf", atomically: true, encoding: .utf8)
        process.executableURL = binary
        process.arguments = ["-p", prefix, "-c", "\(prefix)/nginx.conf", "-e", "\(prefix)/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready when it accepts connections; fail if it exits (bad config) instead.
        while !FreePort.accepts(port) {
            guard process.isRunning else {
                let log = (try? String(contentsOfFile: "\(prefix)/error.log", encoding: .utf8)) ?? ""
                throw NginxFailure(message: "nginx exited: \(log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    struct NginxFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// SIGKILL: the test process's blocked signals are inherited by children, and nginx
    /// without a master process does not unblock SIGTERM; nothing here needs a clean exit.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func request(
        _ path: String, method: String = "GET", authorization: String? = nil,
        extraHeaders: [String: String] = [:]
    ) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        for (name, value) in extraHeaders { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, String(decoding: data, as: UTF8.self))
    }
}

/// Loopback ports for servers that cannot report the port they bound (nginx).
enum FreePort {
    /// A port the kernel just handed out for 127.0.0.1 and that is free again.
    static func find() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
