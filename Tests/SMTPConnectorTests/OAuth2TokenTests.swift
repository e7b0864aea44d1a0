import ConnectorKit
import DevServer
import Foundation
import NetworkIO
import Testing
import TestSupport
@testable import SMTPConnector

/// A tiny OAuth2 token endpoint on loopback: answers each POST with a fixed status and JSON and
/// remembers the forms it received.
final class TokenEndpoint: @unchecked Sendable {
    let port: Int
    private let socket: TCPSocket
    private let lock = NSLock()
    private var forms: [[String: String]] = []
    private let status: Int
    private let body: String
    private let delay: Double
    private let headers: [String]

    init(status: Int = 200, body: String, delay: Double = 0, headers: [String] = []) throws {
        self.status = status
        self.body = body
        self.delay = delay
        self.headers = headers
        socket = try TCPSocket.listen(host: "127.0.0.1", port: 0)
        port = socket.localPort
        let listener = socket
        Thread { [self] in
            while let client = try? listener.accept() {
                Thread { self.serve(NetworkStream(socket: client)) }.start()
            }
        }.start()
    }

    var requests: [[String: String]] { lock.withLock { forms } }
    var url: String { "http://127.0.0.1:\(port)/token" }

    func stop() { socket.shutdown() }

    private func serve(_ stream: NetworkStream) {
        defer { stream.close() }
        var buffer: [UInt8] = []
        while true {
            guard let chunk = try? stream.read(deadline: .after(seconds: 5)), !chunk.isEmpty else { return }
            buffer += chunk
            let text = String(decoding: buffer, as: UTF8.self)
            guard let end = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<end.lowerBound].lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            let bodyText = String(text[end.upperBound...])
            guard bodyText.utf8.count >= length else { continue }
            var form: [String: String] = [:]
            for pair in bodyText.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                if parts.count == 2 { form[parts[0]] = parts[1] }
            }
            lock.withLock { forms.append(form) }
            if delay > 0 { usleep(useconds_t(delay * 1_000_000)) }
            let extra = headers.map { $0 + "\r\n" }.joined()
            let response = "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(extra)Connection: close\r\n\r\n\(body)"
            try? stream.write(Array(response.utf8), deadline: .after(seconds: 5))
            return
        }
    }
}

@Suite struct OAuth2TokenTests {
    private func connector(_ server: DevServer, auth: ConfigValue) throws -> any EmailConnector {
        var config = ContentAndDKIMTests.config(port: server.port, caPEM: server.certificatePEM).objectValue!
        config["auth"] = auth
        return try SMTPConnectorFactory().makeConnector(config: .object(config))
    }

    private let request = EmailRequest(to: "a@example.org", usageType: .generic, payload: ["code": "1"])

    @Test func refreshTokenGrantIsExchangedOnceAndReused() async throws {
        let endpoint = try TokenEndpoint(body: #"{"access_token":"fresh-token","expires_in":3600,"token_type":"Bearer"}"#, delay: 0.1)
        defer { endpoint.stop() }
        let server = try DevServer.started(users: [:]) { $0.oauthTokens = ["me@example.test": "fresh-token"] }
        defer { server.stop() }
        let connector = try connector(server, auth: ["type": "oauth2", "user": "me@example.test", "clientId": "client-id",
                                                     "clientSecret": "client-secret", "refreshToken": "refresh-secret",
                                                     "accessUrl": .string(endpoint.url)])
        // Concurrent sends share one refresh; later sends reuse the token.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<5 { group.addTask { _ = try await connector.send(request) } }
            try await group.waitForAll()
        }
        _ = try await connector.send(request)
        #expect(server.messages.count == 6)
        #expect(endpoint.requests.count == 1)
        #expect(endpoint.requests.first == ["grant_type": "refresh_token", "client_id": "client-id",
                                            "client_secret": "client-secret", "refresh_token": "refresh-secret"])
    }

    @Test func anExpiredTokenIsRefreshedBeforeUse() async throws {
        let endpoint = try TokenEndpoint(body: #"{"access_token":"new-token","expires_in":3600}"#)
        defer { endpoint.stop() }
        let server = try DevServer.started(users: [:]) { $0.oauthTokens = ["me@example.test": "new-token"] }
        defer { server.stop() }
        let expired = (Date().timeIntervalSince1970 - 10) * 1000
        let connector = try connector(server, auth: ["user": "me@example.test", "accessToken": "old-token", "expires": .number(expired),
                                                     "clientId": "c", "clientSecret": "s", "refreshToken": "r",
                                                     "accessUrl": .string(endpoint.url)])
        _ = try await connector.send(request)
        #expect(endpoint.requests.count == 1)
        #expect(server.messages.first?.authenticatedUser == "me@example.test")
    }

    @Test func aValidTokenIsUsedWithoutAskingTheEndpoint() async throws {
        let endpoint = try TokenEndpoint(body: #"{"access_token":"unused","expires_in":3600}"#)
        defer { endpoint.stop() }
        let server = try DevServer.started(users: [:]) { $0.oauthTokens = ["me@example.test": "still-good"] }
        defer { server.stop() }
        let later = (Date().timeIntervalSince1970 + 3000) * 1000
        let connector = try connector(server, auth: ["user": "me@example.test", "accessToken": "still-good", "expires": .number(later),
                                                     "clientId": "c", "clientSecret": "s", "refreshToken": "r",
                                                     "accessUrl": .string(endpoint.url)])
        _ = try await connector.send(request)
        #expect(endpoint.requests.isEmpty)
    }

    /// A send with a refresh-token grant whose token endpoint answers `status` with `body`: the
    /// error it ends with, and how many messages the server received meanwhile.
    private func sendRefused(status: Int, body: String, headers: [String] = []) async throws -> (error: ConnectorError, delivered: Int) {
        let endpoint = try TokenEndpoint(status: status, body: body, headers: headers)
        defer { endpoint.stop() }
        let server = try DevServer.started(users: [:]) { $0.oauthTokens = ["me@example.test": "x"] }
        defer { server.stop() }
        let connector = try connector(server, auth: ["type": "oauth2", "user": "me@example.test", "clientId": "c",
                                                     "clientSecret": "very-secret-value", "refreshToken": "refresh-secret-value",
                                                     "accessUrl": .string(endpoint.url)])
        let error = try await #require(throws: ConnectorError.self) { try await connector.send(request) }
        return (error, server.messages.count)
    }

    /// A token endpoint that redirects (here with 307, which keeps the POST and its form) is not
    /// followed: the grant is never re-posted to where it points, http or https.
    @Test func aRedirectingTokenEndpointIsNotFollowed() async throws {
        let elsewhere = try TokenEndpoint(body: #"{"access_token":"x","expires_in":3600}"#)
        defer { elsewhere.stop() }
        let (error, delivered) = try await sendRefused(status: 307, body: "", headers: ["Location: \(elsewhere.url)"])
        #expect(error.code == .authorizationFailed && error.message.contains("redirected"), "\(error)")
        #expect(elsewhere.requests.isEmpty, "the grant was re-posted to the redirect's target")
        #expect(delivered == 0)
    }

    /// A token answer over 64 KiB is refused, not read into memory whole.
    @Test func anOversizedTokenAnswerIsRefused() async throws {
        let padding = String(repeating: " ", count: 2_000_000)
        let (error, delivered) = try await sendRefused(status: 200, body: #"{"access_token":"x","expires_in":3600,"pad":"\#(padding)"}"#)
        #expect(error.code == .authorizationFailed && error.message.contains("more than 65536 bytes"), "\(error)")
        #expect(delivered == 0)
    }

    @Test func aRefusedGrantIsAuthorizationFailedWithoutSecrets() async throws {
        let (error, delivered) = try await sendRefused(
            status: 400, body: #"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#)
        #expect(error.code == .authorizationFailed)
        #expect(error.message.contains("invalid_grant"))
        #expect(error.message.contains("expired or revoked"))
        #expect(!"\(error)".contains("very-secret-value") && !"\(error)".contains("refresh-secret-value"))
        #expect(delivered == 0)
    }

    @Test func anEndpointThatEchoesTheSecretsCannotPutThemIntoTheError() async throws {
        let (error, _) = try await sendRefused(
            status: 401, body: #"{"error":"invalid_client refresh-secret-value","error_description":"client_secret very-secret-value is wrong"}"#)
        #expect(error.code == .authorizationFailed)
        #expect(error.message.contains("invalid_client") && error.message.contains("is wrong"), "the endpoint's words stay")
        for text in ["\(error)", error.message, (try? error.jsonValue.jsonText()) ?? ""] {
            #expect(!text.contains("very-secret-value") && !text.contains("refresh-secret-value"), "\(text)")
        }
    }

    @Test func serviceAccountsSignAJWTTheEndpointCanVerify() async throws {
        let pem = try await TestSupport.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
        let endpoint = try TokenEndpoint(body: #"{"access_token":"service-token","expires_in":3600}"#)
        defer { endpoint.stop() }
        let server = try DevServer.started(users: [:]) { $0.oauthTokens = ["me@example.test": "service-token"] }
        defer { server.stop() }
        let connector = try connector(server, auth: ["type": "oauth2", "user": "me@example.test",
                                                     "serviceClient": "robot@project.iam.gserviceaccount.com",
                                                     "privateKey": .string(String(decoding: pem, as: UTF8.self)),
                                                     "accessUrl": .string(endpoint.url)])
        _ = try await connector.send(request)
        let form = try #require(endpoint.requests.first)
        #expect(form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer")
        let parts = try #require(form["assertion"]).split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        func decode(_ part: String) -> Data {
            var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while text.count % 4 != 0 { text += "=" }
            return Data(base64Encoded: text)!
        }
        let claims = try ConfigValue.parse(json: decode(parts[1]))
        #expect(claims["iss"] == "robot@project.iam.gserviceaccount.com")
        #expect(claims["sub"] == "me@example.test")
        #expect(claims["scope"] == "https://mail.google.com/")
        // The signature verifies with the public key (openssl dgst), so the endpoint could check it.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let publicKey = try await TestSupport.run(["openssl", "pkey", "-pubout"], input: pem)
        try Data(publicKey).write(to: directory.appendingPathComponent("public.pem"))
        try decode(parts[2]).write(to: directory.appendingPathComponent("signature"))
        try Data("\(parts[0]).\(parts[1])".utf8).write(to: directory.appendingPathComponent("input"))
        let verified = try await TestSupport.run(["openssl", "dgst", "-sha256", "-verify", directory.appendingPathComponent("public.pem").path,
                                                  "-signature", directory.appendingPathComponent("signature").path,
                                                  directory.appendingPathComponent("input").path])
        #expect(String(decoding: verified, as: UTF8.self).contains("Verified OK"))
    }

    @Test func incompleteGrantsAndUnsafeEndpointsAreConfigErrors() {
        let base = ContentAndDKIMTests.config(port: 587, caPEM: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----").objectValue!
        var config = base
        config["auth"] = ["type": "oauth2", "user": "me@example.test", "clientId": "c", "refreshToken": "r"]
        #expect(SMTPConnectorConfig.validate(.object(config)).map(\.path) == ["auth.clientSecret"])
        config["auth"] = ["type": "oauth2", "user": "me@example.test", "accessToken": "t", "accessUrl": "http://token.example.com/"]
        #expect(SMTPConnectorConfig.validate(.object(config)).map(\.path) == ["auth.accessUrl"])
        config["auth"] = ["type": "oauth2", "user": "me@example.test", "serviceClient": "s", "privateKey": "not a key"]
        #expect(SMTPConnectorConfig.validate(.object(config)).map(\.path) == ["auth.privateKey"])
    }
}
