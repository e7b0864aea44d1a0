import ConnectorKit
import SMTP
import SMTPWire
import Foundation
import Testing
import TestSupport
@testable import SMTPConnector

/// The connector against a real Postfix smtpd with STARTTLS and Cyrus SASL (sasldb), started by
/// scripts/postfix-test-env.sh (run by scripts/test.sh). Messages are read back from the Maildir
/// Postfix delivered them to and parsed with Python's `email` package.
///
/// Without that environment these tests fail with a message saying how to provide it; set
/// SMTP_TESTS_SKIP_POSTFIX=1 to skip them explicitly (they are then reported as skipped).
@Suite(.serialized, .enabled(if: !TestSupport.postfixExplicitlySkipped, "SMTP_TESTS_SKIP_POSTFIX=1"))
struct PostfixInteropTests {
    private func postfix() throws -> TestSupport.Postfix {
        let (postfix, reason) = TestSupport.Postfix.fromEnvironment()
        guard let postfix else { throw PostfixMissing(description: reason) }
        return postfix
    }

    struct PostfixMissing: Error, CustomStringConvertible {
        var description: String
    }

    private func config(_ postfix: TestSupport.Postfix, port: Int? = nil, secure: Bool = false,
                        password: String? = nil, method: String? = nil) -> ConfigValue {
        var auth: [String: ConfigValue] = ["type": "login", "user": .string(postfix.user),
                                           "pass": .string(password ?? postfix.password)]
        if let method { auth["method"] = .string(method) }
        return [
            "host": "localhost",
            "port": .string(String(port ?? postfix.port)),
            "secure": .bool(secure),
            "requireTLS": .bool(!secure),
            "fromEmail": "Ünïcode Sender <app@example.test>",
            "tls": ["ca": .string(postfix.caPath)],
            "auth": .object(auth),
            "connectionTimeout": 60000, "greetingTimeout": 60000, "socketTimeout": 60000,
            "templates": [
                ["usageType": "Generic", "contentType": "text/plain",
                 "subject": "Grüße {{code}} — 验证码 ✉ {{ application.name }}",
                 "content": "Hallo {{ user.name }},\nIhr Code lautet {{code}}.\n.\nČau! 再见"],
                ["usageType": "Register", "contentType": "text/html", "subject": "Willkommen",
                 "content": "<p>Code <b>{{code}}</b> für {{ user.name }}</p>"],
                ["usageType": "SignIn", "contentType": "text/plain", "subject": "Sign in", "content": "{{code}}"],
                ["usageType": "ForgotPassword", "contentType": "text/plain", "subject": "Reset", "content": "{{code}}"],
            ],
        ]
    }

    private func deliver(_ config: ConfigValue, type: UsageType, to: String = "someone@example.test",
                         postfix: TestSupport.Postfix) async throws -> (SendReceipt, TestSupport.ParsedEmail) {
        let connector = try SMTPConnectorFactory().makeConnector(config: config)
        let receipt = try await connector.send(EmailRequest(
            to: to, usageType: type,
            payload: ["code": "482913", "user": ["name": "Zoë <Ω>"], "application": ["name": "Café App"]]))
        let path = try #require(await postfix.waitForDelivery(messageID: receipt.messageID),
                                "Postfix accepted \(receipt.messageID) but it did not reach \(postfix.maildir)/new")
        return (receipt, try await TestSupport.parseWithPython(file: path))
    }

    @Test(arguments: ["PLAIN", "LOGIN"])
    func nonASCIISubjectAndPasswordReachPostfixAndReadBackExactly(method: String) async throws {
        let postfix = try postfix()
        let (receipt, parsed) = try await deliver(config(postfix, method: method), type: .generic, postfix: postfix)
        #expect(receipt.response.hasPrefix("250 2.0.0 Ok: queued as"))
        #expect(parsed.subject == "Grüße 482913 — 验证码 ✉ Café App")
        #expect(parsed.body == "Hallo Zoë <Ω>,\nIhr Code lautet 482913.\n.\nČau! 再见\n")
        #expect(parsed.from == "Ünïcode Sender <app@example.test>")
        #expect(parsed.to == "someone@example.test")
        #expect(parsed.defects.isEmpty)
        // Postfix adds Received with the TLS details and the authenticated sender's session.
        #expect(parsed.headers(named: "Received").contains { $0.contains("ESMTPSA") && $0.contains("TLS") })
    }

    @Test func htmlTemplateOverImplicitTLS() async throws {
        let postfix = try postfix()
        let (_, parsed) = try await deliver(config(postfix, port: postfix.tlsPort, secure: true), type: .register,
                                            postfix: postfix)
        #expect(parsed.contentType == "text/html")
        #expect(parsed.body == "<p>Code <b>482913</b> für Zoë &lt;Ω&gt;</p>\n")
        #expect(parsed.headers(named: "Received").contains { $0.contains("ESMTPSA") })
    }

    @Test func wrongPasswordGetsPostfixs535WithAHintAndNoSecret() async throws {
        let postfix = try postfix()
        let connector = try SMTPConnectorFactory().makeConnector(config: config(postfix, password: "wrong-pässwörd-9"))
        let error = try await #require(throws: ConnectorError.self) {
            try await connector.send(EmailRequest(to: "someone@example.test", usageType: .signIn, payload: ["code": "1"]))
        }
        #expect(error.code == .authorizationFailed)
        #expect(error.reply?.code == 535)
        #expect(error.reply?.enhancedCode == "5.7.8")
        #expect(error.hint != nil)
        #expect(!"\(error)".contains("wrong-pässwörd-9"))
        #expect(!"\(error)".contains(postfix.password))
    }

    @Test func certificateCheckedAgainstTheConfiguredName() async throws {
        let postfix = try postfix()
        var config = config(postfix).objectValue!
        config["tls"] = ["ca": .string(postfix.caPath), "servername": "smtp.elsewhere.example"]
        let connector = try SMTPConnectorFactory().makeConnector(config: .object(config))
        let error = try await #require(throws: ConnectorError.self) {
            try await connector.send(EmailRequest(to: "someone@example.test", usageType: .signIn, payload: ["code": "1"]))
        }
        #expect(error.phase == .tls)
        #expect(error.message.contains("hostname mismatch"))
        #expect(error.hint?.contains("tls.ca") == true)
    }

    @Test func verifyConnectionAuthenticatesWithoutSending() async throws {
        let postfix = try postfix()
        let connector = try SMTPConnector(config: SMTPConnectorConfig.parse(config(postfix)))
        try await connector.verifyConnection()
    }

    @Test(arguments: ["rsa", "ed25519"])
    func dkimSignatureStillVerifiesAfterPostfixDelivered(algorithm: String) async throws {
        let postfix = try postfix()
        let key = try await TestSupport.DKIMKey.make(algorithm)
        var config = config(postfix).objectValue!
        config["dkim"] = ["domainName": "example.test", "keySelector": "mail", "privateKey": .string(key.privatePEM)]
        let connector = try SMTPConnectorFactory().makeConnector(config: .object(config))
        let receipt = try await connector.send(EmailRequest(
            to: "someone@example.test", usageType: .register, payload: ["code": "482913", "user": ["name": "Zoë"]],
            attachments: [EmailAttachment(filename: "übersicht.txt", data: Data("line\n.dot line\n".utf8))]))
        let path = try #require(await postfix.waitForDelivery(messageID: receipt.messageID))
        let delivered = try Data(contentsOf: URL(fileURLWithPath: path))
        // Postfix added Return-Path, Delivered-To and Received above the signature; they are not signed.
        #expect(try await key.verify(Array(delivered)) == "pass")
    }

    @Test func doctorPassesAgainstPostfixAndFindsEachSeededMistake() async throws {
        let postfix = try postfix()
        func diagnose(_ changes: [String: ConfigValue]) async throws -> ConnectorDiagnosis {
            var config = config(postfix).objectValue!
            for (key, value) in changes { config[key] = value }
            return try await SMTPConnector(config: SMTPConnectorConfig.parse(.object(config))).diagnose()
        }
        let good = try await diagnose([:])
        #expect(good.ok, "\(good.steps.map { "\($0.name) \($0.status) \($0.detail)" })")
        #expect(good.steps.first { $0.name == "auth" }?.detail.contains("CRAM-MD5") == true)

        let implicitOnStartTLS = try await diagnose(["secure": true, "requireTLS": false])
        #expect(implicitOnStartTLS.steps.last?.name == "tls")
        #expect(implicitOnStartTLS.steps.last?.hint?.contains("set secure to false") == true)

        // Only here is the greeting timeout what ends the probe (the port waits for a ClientHello);
        // elsewhere smtpd, started on demand by master, may greet late on a loaded machine.
        let plainOnImplicit = try await diagnose(["port": .number(Double(postfix.tlsPort)), "greetingTimeout": 1500])
        #expect(plainOnImplicit.steps.last?.name == "greeting")
        #expect(plainOnImplicit.steps.last?.hint?.contains("set secure to true") == true)

        let badPassword = try await diagnose(["auth": ["user": .string(postfix.user), "pass": "wrong"]])
        #expect(badPassword.steps.last?.name == "auth")
        #expect(badPassword.steps.last?.detail.contains("535") == true)
    }
}
