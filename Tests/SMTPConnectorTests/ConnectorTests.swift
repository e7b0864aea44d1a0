import ConnectorKit
import DevServer
import Foundation
import Testing
import TestSupport
@testable import SMTPConnector

/// The connector end to end against the DevServer: templates, rendering, MIME, SMTP.
@Suite struct ConnectorTests {
    static let password = "s3cret-pässword"


    private func config(_ server: DevServer, password: String = ConnectorTests.password,
                        extra: [String: ConfigValue] = [:]) -> ConfigValue {
        var object: [String: ConfigValue] = [
            "host": "127.0.0.1", "port": .string(String(server.port)),
            "fromEmail": "Acme Café <no-reply@example.test>",
            "requireTLS": true,
            "tls": ["ca": .string(server.certificatePEM), "servername": "localhost"],
            "auth": ["user": "app", "pass": .string(password)],
            "connectionTimeout": 5000, "greetingTimeout": 5000, "socketTimeout": 5000,
            "customHeaders": ["X-App": "{{ application.name }}"],
            "templates": [
                ["usageType": "SignIn", "contentType": "text/plain", "subject": "Sign in to {{ application.name }}",
                 "content": "Your code is {{ code }}.\n.\nBye"],
                ["usageType": "Register", "contentType": "text/html", "subject": "Welcome {{user.name}}",
                 "content": "<p>Hi {{ user.name }}, code <b>{{code}}</b></p>"],
                ["usageType": "ForgotPassword", "contentType": "text/plain", "subject": "Reset", "content": "{{code}}"],
                ["usageType": "Generic", "contentType": "text/plain", "subject": "Code {{code}}", "content": "Generic {{code}} {{ unknown.value }}"],
            ],
        ]
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    private func connector(_ config: ConfigValue) throws -> any EmailConnector {
        var registry = ConnectorRegistry()
        registry.register(SMTPConnectorFactory())
        return try registry.makeConnector(id: "smtp", config: config)
    }

    @Test func sendsARenderedPlainTextTemplate() async throws {
        let server = try DevServer.started(users: ["app": Self.password])
        defer { server.stop() }
        let receipt = try await connector(config(server)).send(
            EmailRequest(to: "ada@example.test", usageType: .signIn,
                         payload: ["code": "123456", "application": ["name": "Acme"]]))
        #expect(receipt.accepted == ["ada@example.test"])
        #expect(receipt.response.hasPrefix("250"))
        let received = try #require(server.messages.first)
        let parsed = try await TestSupport.parseWithPython(received.data)
        #expect(parsed.subject == "Sign in to Acme")
        #expect(parsed.body == "Your code is 123456.\n.\nBye\n")
        #expect(parsed.from == "Acme Café <no-reply@example.test>")
        #expect(parsed.headers(named: "X-App") == ["Acme"])
        #expect(parsed.messageId == "<\(receipt.messageID)>")
        #expect(parsed.defects.isEmpty)
    }

    @Test func htmlTemplatesEscapeInsertedValues() async throws {
        let server = try DevServer.started(users: ["app": Self.password])
        defer { server.stop() }
        _ = try await connector(config(server)).send(
            EmailRequest(to: "ada@example.test", usageType: .register,
                         payload: ["code": "42", "user": ["name": "<img src=x onerror=alert(1)>"]]))
        let parsed = try await TestSupport.parseWithPython(try #require(server.messages.first).data)
        #expect(parsed.contentType == "text/html")
        #expect(parsed.body == "<p>Hi &lt;img src=x onerror=alert(1)&gt;, code <b>42</b></p>\n")
        // The subject is a header: the value goes in as text, never as markup or a new line.
        #expect(parsed.subject == "Welcome <img src=x onerror=alert(1)>")
    }

    @Test func aPayloadValueCannotAddAHeaderThroughTheSubject() async throws {
        let server = try DevServer.started(users: ["app": Self.password])
        defer { server.stop() }
        _ = try await connector(config(server)).send(
            EmailRequest(to: "ada@example.test", usageType: .generic,
                         payload: ["code": "1\r\nBcc: victim@example.com\r\nX-Injected: yes"]))
        let received = try #require(server.messages.first)
        let parsed = try await TestSupport.parseWithPython(received.data)
        #expect(parsed.headers(named: "Bcc").isEmpty)
        #expect(parsed.headers(named: "X-Injected").isEmpty)
        #expect(received.recipients == ["ada@example.test"])
        #expect(parsed.subject?.contains("Bcc: victim@example.com") == true)
    }

    @Test func aPayloadValueCannotAddAHeaderThroughACustomHeader() async throws {
        let server = try DevServer.started(users: ["app": Self.password])
        defer { server.stop() }
        // customHeaders has X-App: {{ application.name }}; the value tries CRLF, a bare LF, NEL (U+0085)
        // and the Unicode line separator.
        let name = "Acme\r\nBcc: victim@example.com\nX-Injected: yes\u{85}X-Nel: 1\u{2028}X-Ls: 1"
        _ = try await connector(config(server)).send(
            EmailRequest(to: "ada@example.test", usageType: .signIn, payload: ["code": "1", "application": ["name": .string(name)]]))
        let received = try #require(server.messages.first)
        let parsed = try await TestSupport.parseWithPython(received.data)
        for injected in ["Bcc", "X-Injected", "X-Nel", "X-Ls"] {
            #expect(parsed.headers(named: injected).isEmpty, "\(injected) was injected")
        }
        #expect(parsed.headers(named: "X-App").count == 1)
        #expect(parsed.headers(named: "X-App").first?.contains("Bcc: victim@example.com") == true)
        #expect(received.recipients == ["ada@example.test"])
    }

    @Test func anEHLONameWithALineBreakOrNULIsAConfigIssue() {
        for name in ["client.example.test\r\nMAIL FROM:<x@y.z>", "client\0.example.test", "cli\nent.example.test"] {
            let issues = SMTPConnectorConfig.validate(["host": "smtp.example.test", "fromEmail": "a@example.test", "name": .string(name),
                                                       "templates": [["usageType": "Generic", "contentType": "text/plain", "subject": "s", "content": "c"]]])
            #expect(issues.filter { $0.path == "name" }.count == 1, "\(name.debugDescription): \(issues)")
        }
    }

    @Test func unknownUsageTypeFallsBackToGenericAndUnknownPlaceholdersStay() async throws {
        let server = try DevServer.started(users: ["app": Self.password])
        defer { server.stop() }
        _ = try await connector(config(server)).send(
            EmailRequest(to: "ada@example.test", usageType: .mfaVerification, payload: ["code": "777"]))
        let parsed = try await TestSupport.parseWithPython(try #require(server.messages.first).data)
        #expect(parsed.subject == "Code 777")
        #expect(parsed.body == "Generic 777 {{ unknown.value }}\n")
    }

    @Test func missingTemplateIsTemplateNotFoundAndNothingIsSent() async throws {
        let server = try DevServer.started(users: ["app": Self.password])
        defer { server.stop() }
        var config = config(server).objectValue!
        config["templates"] = .array(config["templates"]!.arrayValue!.filter { $0["usageType"] != "Generic" })
        let connector = try SMTPConnector(config: SMTPConnectorConfig.read(.object(config)).0!)
        let error = try await #require(throws: ConnectorError.self) {
            try await connector.send(EmailRequest(to: "ada@example.test", usageType: .bindMfa, payload: ["code": "1"]))
        }
        #expect(error.code == .templateNotFound)
        #expect(server.messages.isEmpty)
    }

    @Test func wrongPasswordIsAuthorizationFailedWithReplyAndHintButNoPassword() async throws {
        let server = try DevServer.started(users: ["app": Self.password])
        defer { server.stop() }
        let error = try await #require(throws: ConnectorError.self) {
            try await connector(config(server, password: "wrong-pässword-123"))
                .send(EmailRequest(to: "ada@example.test", usageType: .signIn, payload: ["code": "1"]))
        }
        #expect(error.code == .authorizationFailed)
        #expect(error.phase == .auth)
        #expect(error.reply?.code == 535)
        #expect(error.hint?.isEmpty == false)
        #expect(!"\(error)".contains("wrong-pässword-123"))
    }

    @Test func badRecipientIsInvalidRequestNamingTheField() async throws {
        let server = try DevServer.started(users: ["app": Self.password])
        defer { server.stop() }
        let error = try await #require(throws: ConnectorError.self) {
            try await connector(config(server)).send(
                EmailRequest(to: ["ok@example.test", "bad\r\nRCPT TO:<x@y.z>"], usageType: .signIn, payload: ["code": "1"]))
        }
        #expect(error.code == .invalidRequest)
        #expect(error.message.contains("to[1]"))
        #expect(server.messages.isEmpty)
    }

    @Test func debugTranscriptGoesToTheLogHandlerWithSecretsMasked() async throws {
        let server = try DevServer.started(users: ["app": Self.password])
        defer { server.stop() }
        let lines = TestSupport.LineCollector()
        let connector = try SMTPConnectorFactory(log: { lines.append($0) })
            .makeConnector(config: config(server, extra: ["debug": true,
                                                          "auth": ["user": "app", "pass": .string(Self.password), "method": "PLAIN"]]))
        _ = try await connector.send(EmailRequest(to: "ada@example.test", usageType: .signIn, payload: ["code": "1"]))
        let text = lines.all.joined(separator: "\n")
        #expect(text.contains("C: AUTH PLAIN <redacted>"))
        #expect(text.contains("S: 250"))
        #expect(!text.contains(Self.password))
    }
}

