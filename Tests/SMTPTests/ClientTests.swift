import DevServer
import Foundation
import Testing
import TestSupport
@testable import SMTP
import SMTPWire

/// The real client against the in-process DevServer over loopback.
@Suite struct ClientTests {
    static let user = "tester@example.test"
    static let password = "pässwörd ✓"

    private func server(_ adjust: (inout DevServerConfiguration) -> Void = { _ in }) throws -> DevServer {
        try DevServer.started(users: [Self.user: Self.password], adjust)
    }

    private func configuration(for server: DevServer, security: SMTPClientConfiguration.Security = .startTLSRequired,
                               host: String = "127.0.0.1") -> SMTPClientConfiguration {
        var configuration = SMTPClientConfiguration(host: host, port: server.port, security: security)
        configuration.tls.trustedCertificatesPEM = server.certificatePEM
        configuration.credentials = SMTPCredentials(user: Self.user, password: Self.password)
        configuration.timeouts = .init(connection: 5, greeting: 5, socket: 5)
        return configuration
    }

    private let envelope = SMTPEnvelope(from: "app@example.test", recipients: ["ada@example.test"])
    private let message = Array("Subject: hi\r\n\r\nline one\n.leading dot\r\nend".utf8)

    @Test(arguments: [SASLMechanism.plain, .login, .cramMD5])
    func sendsOverSTARTTLSWithAuth(mechanism: SASLMechanism) async throws {
        let server = try server()
        defer { server.stop() }
        var configuration = configuration(for: server)
        configuration.mechanism = mechanism
        let result = try await SMTPClient(configuration: configuration).send(envelope: envelope, message: message)
        #expect(result.accepted == ["ada@example.test"])
        #expect(result.response.code == 250)
        #expect(result.tlsVersion != nil)
        #expect(result.authenticatedWith == mechanism)
        let received = try #require(server.messages.first)
        #expect(received.authenticatedUser == Self.user)
        #expect(received.tlsVersion != nil)
        #expect(received.from == "app@example.test")
        // Dot-stuffing was undone by the server and the bare LF became CRLF.
        #expect(received.text == "Subject: hi\r\n\r\nline one\r\n.leading dot\r\nend\r\n")
    }

    @Test func picksTheStrongestOfferedMechanismByDefault() async throws {
        let server = try server()
        defer { server.stop() }
        let result = try await SMTPClient(configuration: configuration(for: server)).send(envelope: envelope, message: message)
        #expect(result.authenticatedWith == .cramMD5)
    }

    @Test func xoauth2AgainstTheDevServer() async throws {
        let server = try server { $0.oauthTokens = ["me@example.test": "good-token"] }
        defer { server.stop() }
        var configuration = configuration(for: server)
        configuration.credentials = nil
        configuration.oauth2 = SMTPOAuth2(user: "me@example.test", token: "good-token")
        let result = try await SMTPClient(configuration: configuration).send(envelope: envelope, message: message)
        #expect(result.authenticatedWith == .xoauth2)
        #expect(server.messages.first?.authenticatedUser == "me@example.test")

        configuration.oauth2 = SMTPOAuth2(user: "me@example.test", token: "stale-token")
        let error = try await #require(throws: SMTPError.self) {
            try await SMTPClient(configuration: configuration).send(envelope: envelope, message: message)
        }
        #expect(error.reply?.code == 535)
        #expect(error.message.contains("401"))
    }

    @Test func implicitTLSWorks() async throws {
        let server = try server { $0.tls = .implicit }
        defer { server.stop() }
        let result = try await SMTPClient(configuration: configuration(for: server, security: .implicitTLS))
            .send(envelope: envelope, message: message)
        #expect(result.tlsVersion != nil)
        #expect(server.messages.count == 1)
    }

    @Test func connectsOverIPv6Loopback() async throws {
        let server: DevServer
        do {
            server = try self.server { $0.host = "::1" }
        } catch {
            Issue.record("IPv6 loopback (::1) is not available on this machine: \(error)")
            return
        }
        defer { server.stop() }
        let result = try await SMTPClient(configuration: configuration(for: server, host: "::1"))
            .send(envelope: envelope, message: message)
        #expect(result.accepted.count == 1)
    }

    @Test func wrongPasswordIsAnAuthenticationErrorWithTheReplyAndNoSecret() async throws {
        let server = try server()
        defer { server.stop() }
        var configuration = configuration(for: server)
        configuration.credentials = SMTPCredentials(user: Self.user, password: "wrong-secret-value")
        let error = try await #require(throws: SMTPError.self) {
            try await SMTPClient(configuration: configuration).send(envelope: envelope, message: message)
        }
        #expect(error.kind == .authentication)
        #expect(error.phase == .auth)
        #expect(error.reply?.code == 535)
        #expect(error.reply?.enhancedCode == "5.7.8")
        #expect(error.hint != nil)
        #expect(!error.description.contains("wrong-secret-value"))
        #expect(server.messages.isEmpty)
    }

    @Test func transcriptMasksCredentials() async throws {
        let server = try server()
        defer { server.stop() }
        let lines = TestSupport.LineCollector()
        var configuration = configuration(for: server)
        configuration.mechanism = .plain  // the mechanism whose payload carries the password itself
        configuration.transcript = { lines.append($0.description) }
        _ = try await SMTPClient(configuration: configuration).send(envelope: envelope, message: message)
        let text = lines.all.joined(separator: "\n")
        #expect(text.contains("C: AUTH PLAIN <redacted>"))
        #expect(text.contains("S: 235"))
        let secretForms = [Self.password, SASLMechanism.plainResponse(SMTPCredentials(user: Self.user, password: Self.password))]
        #expect(secretForms.allSatisfy { !text.contains($0) })
    }

    @Test func certificateForAnotherNameIsRefusedWithAHowToTrustHint() async throws {
        let server = try server()
        defer { server.stop() }
        var configuration = configuration(for: server)
        configuration.tls.serverName = "mail.example.com"
        let error = try await #require(throws: SMTPError.self) {
            try await SMTPClient(configuration: configuration).send(envelope: envelope, message: message)
        }
        #expect(error.kind == .certificate)
        #expect(error.phase == .tls)
        #expect(error.message.contains("hostname mismatch"))
        #expect(error.hint?.contains("tls.ca") == true)
        #expect(server.messages.isEmpty)
    }

    @Test func untrustedCertificateIsRefusedUnlessVerificationIsOff() async throws {
        let server = try server()
        defer { server.stop() }
        var configuration = configuration(for: server)
        configuration.tls.trustedCertificatesPEM = nil  // system CAs do not know the DevServer
        let error = try await #require(throws: SMTPError.self) {
            try await SMTPClient(configuration: configuration).send(envelope: envelope, message: message)
        }
        #expect(error.kind == .certificate)
        #expect(error.message.contains("self-signed") || error.message.contains("self signed"))

        configuration.tls.verifyCertificate = false
        let result = try await SMTPClient(configuration: configuration).send(envelope: envelope, message: message)
        #expect(result.accepted.count == 1)
    }

    @Test func requireTLSRefusesAServerWithoutSTARTTLS() async throws {
        let server = try server { $0.tls = .none }
        defer { server.stop() }
        let error = try await #require(throws: SMTPError.self) {
            try await SMTPClient(configuration: configuration(for: server)).send(envelope: envelope, message: message)
        }
        #expect(error.kind == .tls)
        #expect(error.message.contains("does not offer STARTTLS"))
        #expect(server.messages.isEmpty)
    }

    @Test func credentialsAreNotSentOverPlaintext() async throws {
        let server = try server { $0.tls = .none }
        defer { server.stop() }
        let error = try await #require(throws: SMTPError.self) {
            try await SMTPClient(configuration: configuration(for: server, security: .startTLSOpportunistic))
                .send(envelope: envelope, message: message)
        }
        #expect(error.kind == .authentication)
        #expect(error.message.contains("unencrypted"))

        var allowed = configuration(for: server, security: .plaintext)
        allowed.allowsPlaintextAuthentication = true
        let result = try await SMTPClient(configuration: allowed).send(envelope: envelope, message: message)
        #expect(result.tlsVersion == nil)
        #expect(server.messages.count == 1)
    }

    @Test func aServerThatNeverGreetsFailsAfterTheGreetingTimeout() async throws {
        let server = try server { $0.faults = [.silentGreeting] }
        defer { server.stop() }
        var configuration = configuration(for: server)
        configuration.timeouts = .init(connection: 5, greeting: 0.5, socket: 150)
        let start = Date()
        let error = try await #require(throws: SMTPError.self) {
            try await SMTPClient(configuration: configuration).send(envelope: envelope, message: message)
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(error.kind == .timeout)
        #expect(error.phase == .greeting)
        #expect(error.message.contains("greetingTimeout"))
        // Not before the timeout; the upper bound only says it did not wait for the socketTimeout (150 s).
        #expect(elapsed >= 0.45, "not before greetingTimeout (0.5 s): \(elapsed) s")
        #expect(elapsed < 40, "ended by greetingTimeout (0.5 s), not by the 150 s socketTimeout: \(elapsed) s")
    }

    @Test func localAddressBindsTheClientSide() async throws {
        let server = try server()
        defer { server.stop() }
        var configuration = configuration(for: server)
        configuration.localAddress = "127.0.0.1"
        _ = try await SMTPClient(configuration: configuration).send(envelope: envelope, message: message)
        configuration.localAddress = "::1"  // another IP family than the server's address
        let error = try await #require(throws: SMTPError.self) {
            try await SMTPClient(configuration: configuration).send(envelope: envelope, message: message)
        }
        #expect(error.phase == .connect)
        #expect(error.message.contains("localAddress"))
    }

    @Test func refusedConnectionIsAConnectionError() async throws {
        // A port bound but not listening refuses connections, and stays ours for the whole test
        // (a port freed and reused by a test running in parallel would not).
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: port, security: .startTLSOpportunistic)
        configuration.timeouts.connection = 2
        let error = try await #require(throws: SMTPError.self) {
            try await SMTPClient(configuration: configuration).send(envelope: envelope, message: message)
        }
        #expect(error.kind == .connection)
        #expect(error.phase == .connect)
        #expect(error.isTransient)
    }

    @Test func cancellingTheTaskStopsABlockedSendPromptly() async throws {
        let server = try server { $0.faults = [.silentGreeting] }
        defer { server.stop() }
        var configuration = configuration(for: server)
        configuration.timeouts = .init(connection: 300, greeting: 300, socket: 300)
        let client = try SMTPClient(configuration: configuration)
        let envelope = self.envelope, message = self.message
        let task = Task { try await client.send(envelope: envelope, message: message) }
        try await CancellationTests.waitUntil { server.connectionCount == 1 }
        let start = Date()
        task.cancel()
        let result = await task.result
        // Milliseconds on an idle machine; the bound only says it did not wait for the 300 s timeouts.
        #expect(Date().timeIntervalSince(start) < 60, "cancelled promptly, not after the 300 s timeouts")
        guard case .failure(let error as SMTPError) = result else {
            Issue.record("expected an SMTPError, got \(result)")
            return
        }
        #expect(error.kind == .cancelled)
    }

    @Test func unsafeEnvelopeAddressesAreRefusedBeforeConnecting() async throws {
        let client = try SMTPClient(configuration: SMTPClientConfiguration(host: "127.0.0.1", port: 1))
        for bad in ["a@b.c>\r\nRCPT TO:<x@y.z", "a b@c.d", "x@y\0z", ""] {
            let error = try await #require(throws: SMTPError.self) {
                try await client.send(envelope: SMTPEnvelope(from: "app@example.test", recipients: [bad]), message: [])
            }
            #expect(error.kind == .invalidInput)
        }
    }
}

