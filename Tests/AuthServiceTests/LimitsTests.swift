import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AuthService

/// Hostile input: every limit answers with the contract's body, and the server keeps serving.
@Suite struct LimitsTests {
    @Test func tooManyOrTooLargeHeadersAre431() async throws {
        let app = try await TestApp()
        try await app.test(.live) { client in
            var many = Header.basic("alice", "secret")
            for index in 0..<APIMiddleware.maxHeaderCount { many.append(HTTPField(name: HTTPField.Name("X-Pad-\(index)")!, value: "x")) }
            var large = Header.basic("alice", "secret")
            large.append(HTTPField(name: HTTPField.Name("X-Pad")!, value: String(repeating: "y", count: APIMiddleware.maxHeaderBytes)))
            for headers in [many, large] {
                try await client.execute(uri: loginPath, method: .post, headers: headers) { response in
                    #expect(response.status == .requestHeaderFieldsTooLarge)
                    #expect(response.shape == errorShape(431, "Request Header Fields Too Large"))
                }
            }
            // Still serving.
            _ = try await login(client)
        }
    }

    @Test func overlongURLIs400() async throws {
        let app = try await TestApp()
        try await app.test(.live) { client in
            let uri = loginPath + "?" + String(repeating: "q", count: APIMiddleware.maxURLBytes)
            try await client.execute(uri: uri, method: .post, headers: Header.basic("alice", "secret")) { response in
                #expect(response.status == .badRequest)
                #expect(response.shape == errorShape(400, "Bad Request"))
            }
            _ = try await login(client)
        }
    }

    @Test func overlongCredentialsAre400AndServerStillServes() async throws {
        let app = try await TestApp()
        try await app.test(.live) { client in
            try await client.execute(uri: loginPath, method: .post,
                                     headers: Header.basic(String(repeating: "u", count: 129), "secret")) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: loginPath, method: .post,
                                     headers: Header.basic("alice", String(repeating: "p", count: 1025))) { response in
                #expect(response.status == .badRequest)
            }
            _ = try await login(client)
        }
    }

    @Test func declaredOversizedBodyIs413() async throws {
        let app = try await TestApp()
        try await app.test(.live) { client in
            let body = ByteBuffer(repeating: UInt8(ascii: "z"), count: APIMiddleware.maxBodyBytes + 1)
            try await client.execute(uri: loginPath, method: .post, headers: Header.basic("alice", "secret"), body: body) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.shape == errorShape(413, "Request Entity Too Large"))
            }
        }
    }
}
