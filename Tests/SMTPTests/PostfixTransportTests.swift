import Foundation
import Testing
import TestSupport
@testable import SMTP
import SMTPWire

/// The transport against the real Postfix smtpd that scripts/postfix-test-env.sh starts (see
/// PostfixInteropTests in SMTPConnectorTests for the connector-level tests).
@Suite(.serialized, .enabled(if: !TestSupport.postfixExplicitlySkipped, "SMTP_TESTS_SKIP_POSTFIX=1"))
struct PostfixTransportTests {
    struct PostfixMissing: Error, CustomStringConvertible { var description: String }

    private func postfix() throws -> TestSupport.Postfix {
        let (postfix, reason) = TestSupport.Postfix.fromEnvironment()
        guard let postfix else { throw PostfixMissing(description: reason) }
        return postfix
    }

    private func client(_ postfix: TestSupport.Postfix, mechanism: SASLMechanism? = nil,
                        transcript: TestSupport.LineCollector? = nil) throws -> SMTPClient {
        var configuration = SMTPClientConfiguration(host: "localhost", port: postfix.port, security: .startTLSRequired)
        configuration.tls.trustedCertificatesPEM = try String(contentsOfFile: postfix.caPath, encoding: .utf8)
        configuration.credentials = SMTPCredentials(user: postfix.user, password: postfix.password)
        configuration.mechanism = mechanism
        // DNS 120 s: resolving localhost once took over 30 s on a 2-core machine loaded by stress-ng
        // and the whole suite (a starved resolver thread, not a slow resolver).
        configuration.timeouts = .init(connection: 60, greeting: 60, socket: 60, dns: 120)
        if let transcript { configuration.transcript = { transcript.append($0.description) } }
        return try SMTPClient(configuration: configuration)
    }

    private func message(token: String, to: String, body: String = "hello") -> [UInt8] {
        Array("From: app@example.test\r\nTo: \(to)\r\nSubject: \(token)\r\nMessage-ID: <\(token)@example.test>\r\n\r\n\(body)\r\n".utf8)
    }

    @Test func pipelinedEnvelopeWithSeveralRecipientsAndCRAMMD5() async throws {
        let postfix = try postfix()
        let token = "pipelining-\(UUID().uuidString)"
        let transcript = TestSupport.LineCollector()
        let recipients = ["one@example.test", "two@example.test", "three@example.test"]
        let result = try await client(postfix, transcript: transcript).send(
            envelope: SMTPEnvelope(from: "app@example.test", recipients: recipients),
            message: message(token: token, to: recipients.joined(separator: ", ")))
        #expect(result.accepted == recipients)
        // Postfix offers CRAM-MD5 (sasldb keeps plaintext secrets), the strongest password mechanism.
        #expect(result.authenticatedWith == .cramMD5)
        // MAIL, three RCPTs and DATA went out before any of their replies came back.
        let lines = transcript.all
        let mail = try #require(lines.firstIndex { $0.hasPrefix("C: MAIL FROM") })
        #expect(Array(lines[mail...].prefix(5)).map { String($0.prefix(7)) } == ["C: MAIL", "C: RCPT", "C: RCPT", "C: RCPT", "C: DATA"])
        let delivered = try #require(await postfix.waitForDelivery(messageID: token))
        #expect(try String(contentsOfFile: delivered, encoding: .utf8).contains("Subject: \(token)"))
    }

    @Test(arguments: [SASLMechanism.plain, .login, .cramMD5])
    func everyPasswordMechanismAuthenticates(mechanism: SASLMechanism) async throws {
        let postfix = try postfix()
        let token = "mech-\(mechanism.rawValue)-\(UUID().uuidString)"
        let result = try await client(postfix, mechanism: mechanism).send(
            envelope: SMTPEnvelope(from: "app@example.test", recipients: ["mech@example.test"]),
            message: message(token: token, to: "mech@example.test"))
        #expect(result.authenticatedWith == mechanism)
        #expect(try await postfix.waitForDelivery(messageID: token) != nil)
    }

    @Test func smtpUTF8RecipientIsDelivered() async throws {
        let postfix = try postfix()
        let token = "utf8-\(UUID().uuidString)"
        let recipient = "δοκιμή@example.test"
        _ = try await client(postfix).send(
            envelope: SMTPEnvelope(from: "app@example.test", recipients: [recipient]),
            message: message(token: token, to: recipient, body: "Grüße, 测试"))
        let delivered = try #require(await postfix.waitForDelivery(messageID: token))
        let text = try String(contentsOfFile: delivered, encoding: .utf8)
        #expect(text.contains("To: \(recipient)"))
        #expect(text.contains("Grüße, 测试"))
        #expect(text.contains("UTF8SMTPS") || text.contains("ESMTPSA"))
    }

    @Test func tenMegabyteMessageWithSIZE() async throws {
        let postfix = try postfix()
        let token = "large-\(UUID().uuidString)"
        let line = String(repeating: "0123456789", count: 7) + "\r\n"  // 72 octets
        let body = String(repeating: line, count: 10_000_000 / line.utf8.count)
        let transcript = TestSupport.LineCollector()
        let bytes = message(token: token, to: "big@example.test", body: body)
        let result = try await client(postfix, transcript: transcript).send(
            envelope: SMTPEnvelope(from: "app@example.test", recipients: ["big@example.test"]), message: bytes)
        #expect(result.response.code == 250)
        #expect(transcript.all.contains { $0.hasPrefix("C: MAIL FROM:<app@example.test> SIZE=\(bytes.count)") })
        let delivered = try #require(await postfix.waitForDelivery(messageID: token, timeout: 120))
        let size = try FileManager.default.attributesOfItem(atPath: delivered)[.size] as? Int ?? 0
        // Maildir stores LF line endings; Postfix adds its own headers on top.
        let crlfCount = zip(bytes, bytes.dropFirst()).filter { $0 == 13 && $1 == 10 }.count
        #expect(size >= bytes.count - crlfCount)
    }

    @Test func messageOverPostfixsSizeLimitIsRefusedBeforeSending() async throws {
        let postfix = try postfix()
        let transcript = TestSupport.LineCollector()
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 21_000_000)
        do {
            _ = try await client(postfix, transcript: transcript).send(
                envelope: SMTPEnvelope(from: "app@example.test", recipients: ["big@example.test"]), message: bytes)
            Issue.record("a message over the SIZE limit was sent")
        } catch let error as SMTPError {
            #expect(error.kind == .invalidInput)
            #expect(error.message.contains("at most 20480000"))
        }
        #expect(!transcript.all.contains { $0.hasPrefix("C: MAIL") })
    }
}
