import DevServer
import Foundation
import NetworkIO
import Testing
import TestSupport
@testable import SMTP
import SMTPWire

/// The security cases of Docs/Security.md that need a server: each fails if its protection goes.
@Suite struct HostileServerTests {
    static let envelope = SMTPEnvelope(from: "app@example.test", recipients: ["ada@example.test"])
    static let message = Array("Subject: hi\r\n\r\nbody\r\n".utf8)

    // MARK: - Replies without end

    @Test func aHundredThousandContinuationLinesFailAtTheLineLimit() async throws {
        for phase in ["greeting", "ehlo"] {
            let server = try ScriptedServer { peer in
                if phase == "ehlo" {
                    try peer.send("220 ready\r\n")
                    _ = try peer.expect("EHLO")
                }
                let code = phase == "ehlo" ? "250" : "220"
                let lines = String(repeating: "\(code)-more\r\n", count: 1_000)
                for _ in 0..<100 { try? peer.send(lines) }  // 100,000 lines; the client leaves long before
                peer.stall(1)
            }
            let error = try #require(await FaultInjectionTests.sendExpectingError(FaultInjectionTests.client(server)))
            await server.finish()
            #expect(error.kind == .protocolViolation, "\(phase)")
            #expect(error.message.contains("more than \(ReplyDecoder.maxLines) lines"), "\(phase): \(error.message)")
            #expect(error.phase == (phase == "ehlo" ? .ehlo : .greeting))
        }
    }

    @Test func aHundredMegabyteGreetingIsRefusedWithoutReadingIt() async throws {
        let written = LockedCounter()
        let server = try ScriptedServer { peer in
            let line = "220-" + String(repeating: "g", count: 1_020) + "\r\n"
            let chunk = String(repeating: line, count: 64)  // 64 KiB
            for _ in 0..<1_600 {  // 100 MiB
                guard (try? peer.send(chunk)) != nil else { return }
                written.add(chunk.utf8.count)
            }
        }
        let error = try #require(await FaultInjectionTests.sendExpectingError(FaultInjectionTests.client(server)))
        await server.finish()
        #expect(error.kind == .protocolViolation)
        // The client stopped reading after 257 lines: the server could only fill the socket buffers.
        #expect(written.value < 20 * 1_048_576, "the server wrote \(written.value) bytes")
    }

    // MARK: - A server that echoes secrets

    @Test func credentialsEchoedByTheServerNeverReachErrorsOrTranscripts() async throws {
        let user = "alice@example.test", password = "echo-Me-If-You-Can-42"
        let plain = Data("\0\(user)\0\(password)".utf8).base64EncodedString()
        let login = Data(password.utf8).base64EncodedString()
        for mechanism in [SASLMechanism.plain, .login] {
            let server = try ScriptedServer { peer in
                try peer.greetAndHello(["AUTH PLAIN LOGIN"])
                if mechanism == .plain {
                    let line = try peer.expect("AUTH PLAIN")
                    let payload = line.split(separator: " ").last.map(String.init) ?? ""
                    try peer.send("535-5.7.8 \(payload) is not accepted\r\n535 5.7.8 wrong password \(password) for \(user)\r\n")
                } else {
                    _ = try peer.expect("AUTH LOGIN")
                    try peer.send("334 VXNlcm5hbWU6\r\n")
                    _ = try peer.readLine()
                    try peer.send("334 UGFzc3dvcmQ6\r\n")
                    let answer = try peer.readLine()
                    try peer.send("535 5.7.8 \(answer) decodes to \(password)\r\n")
                }
                _ = try? peer.readLine()
            }
            let transcript = TestSupport.LineCollector()
            let client = try FaultInjectionTests.client(server, credentials: SMTPCredentials(user: user, password: password)) {
                $0.mechanism = mechanism
                $0.transcript = { transcript.append($0.description) }
            }
            let error = try #require(await FaultInjectionTests.sendExpectingError(client))
            await server.finish()
            #expect(error.kind == .authentication, "\(mechanism)")
            let everything = [error.description, error.message, error.reply?.text ?? ""] + transcript.all
            for secret in [password, plain, login, user] {
                #expect(!everything.contains { $0.contains(secret) }, "\(mechanism): a secret reached \(everything)")
            }
            #expect(everything.contains { $0.contains("<redacted>") }, "the echo is replaced, not dropped")
        }
    }

    // MARK: - Command injection through the envelope

    @Test func unsafeSendersAreRefusedBeforeConnecting() async throws {
        let server = try DevServer.started()
        defer { server.stop() }
        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: server.port, security: .plaintext)
        configuration.timeouts = .init(connection: 5, greeting: 5, socket: 5)
        let client = try SMTPClient(configuration: configuration)
        for bad in ["a@b.c>\r\nRCPT TO:<victim@y.z", "a@b.c\nDATA", "a\0@b.c", "a@b.c\r"] {
            let error = try await #require(throws: SMTPError.self) {
                try await client.send(envelope: SMTPEnvelope(from: bad, recipients: ["ada@example.test"]), message: Self.message)
            }
            #expect(error.kind == .invalidInput, "\(bad.debugDescription)")
        }
        #expect(server.connectionCount == 0)
    }

    // MARK: - SMTP smuggling (CERT VU#302671)

    /// The DevServer ends a line at a bare LF, as the smuggling-prone servers did, so it is the
    /// oracle: a client that let `<LF>.<LF>` through would deliver two messages to it, the second
    /// from the attacker's sender.
    @Test func bodiesCannotEndTheDataEarly() async throws {
        let server = try DevServer.started(users: [:]) { $0.tls = .none }
        defer { server.stop() }
        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: server.port, security: .plaintext)
        configuration.timeouts = .init(connection: 5, greeting: 5, socket: 5)
        let client = try SMTPClient(configuration: configuration)
        let smuggled = "MAIL FROM:<evil@attacker.test>\r\nRCPT TO:<victim@example.test>\r\nDATA\r\nSubject: forged\r\n\r\nforged\r\n"
        let payloads = ["\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\n.\r"].map { "Subject: s\r\n\r\nhello\($0)\(smuggled).\r\n" }
        for (index, payload) in payloads.enumerated() {
            _ = try await client.send(envelope: Self.envelope, message: Array(payload.utf8))
            let messages = await server.waitForMessages(count: index + 1)
            #expect(messages.count == index + 1, "payload \(index) \(payload.prefix(20).debugDescription)")
            #expect(!messages.contains { $0.from.contains("attacker") }, "payload \(index) was split")
            let last = try #require(messages.last)
            #expect(last.text.contains("MAIL FROM:<evil@attacker.test>"), "the smuggled text stays data")
        }
    }

    // MARK: - Certificates

    @Test func anExpiredCertificateIsRefusedEvenWhenItsCAIsTrusted() async throws {
        let expired = try SelfSignedCertificate(validFrom: -3 * 86_400, validUntil: -86_400)
        let server = try DevServer.started(users: [:]) { $0.certificate = expired }
        defer { server.stop() }
        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: server.port, security: .startTLSRequired)
        configuration.tls.trustedCertificatesPEM = expired.certificatePEM
        configuration.timeouts = .init(connection: 5, greeting: 5, socket: 5)
        let error = try await #require(throws: SMTPError.self) {
            try await SMTPClient(configuration: configuration).send(envelope: Self.envelope, message: Self.message)
        }
        #expect(error.kind == .certificate)
        #expect(error.message.contains("expired"), "\(error.message)")
        #expect(server.messages.isEmpty)

        // The same server with a certificate in date is accepted: the refusal was the date's.
        let fresh = try SelfSignedCertificate()
        let good = try DevServer.started(users: [:]) { $0.certificate = fresh }
        defer { good.stop() }
        configuration.port = good.port
        configuration.tls.trustedCertificatesPEM = fresh.certificatePEM
        _ = try await SMTPClient(configuration: configuration).send(envelope: Self.envelope, message: Self.message)
        #expect(good.messages.count == 1)
    }
}

/// A count shared with a scripted server's thread.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0
    func add(_ amount: Int) { lock.withLock { total += amount } }
    var value: Int { lock.withLock { total } }
}
