import ConnectorKit
import DevServer
import Foundation
import Testing
import TestSupport
@testable import SMTPConnector

@Suite struct ContentAndDKIMTests {
    static func config(port: Int, caPEM: String, host: String = "127.0.0.1", extra: [String: ConfigValue] = [:]) -> ConfigValue {
        var object: [String: ConfigValue] = [
            "host": .string(host), "port": .number(Double(port)), "fromEmail": "Acme <no-reply@example.com>", "requireTLS": true,
            "tls": ["ca": .string(caPEM), "servername": "localhost"],
            "auth": ["user": "app", "pass": "pw"],
            "templates": [
                ["usageType": "Register", "contentType": "text/html", "subject": "Welcome {{user.name}}",
                 "content": "<p>Hi {{ user.name }}, your code is <b>{{code}}</b>.</p><p><a href=\"{{link}}\">Verify</a></p>",
                 "generateText": true],
                ["usageType": "SignIn", "contentType": "text/html", "subject": "Sign in",
                 "content": "<p>Code <b>{{code}}</b></p>", "textContent": "Code: {{code}}"],
                ["usageType": "ForgotPassword", "contentType": "text/html", "subject": "Reset", "content": "<p>{{code}}</p>"],
                ["usageType": "Generic", "contentType": "text/plain", "subject": "Code", "content": "{{code}}"],
            ],
        ]
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    private func send(_ server: DevServer, _ request: EmailRequest, extra: [String: ConfigValue] = [:]) async throws -> TestSupport.ParsedEmail {
        _ = try await SMTPConnectorFactory().makeConnector(config: Self.config(port: server.port, caPEM: server.certificatePEM, extra: extra))
            .send(request)
        return try await TestSupport.parseWithPython(try #require(server.messages.last).data)
    }

    @Test func htmlTemplatesCanCarryAGeneratedOrWrittenTextAlternative() async throws {
        let server = try DevServer.started()
        defer { server.stop() }
        let generated = try await send(server, EmailRequest(to: "a@example.org", usageType: .register,
            payload: ["code": "123456", "user": ["name": "Zoë & Co"], "link": "https://acme.example/v?t=1"]))
        #expect(generated.structure == "multipart/alternative(text/plain,text/html)")
        #expect(generated.text == "Hi Zoë & Co, your code is 123456.\n\nVerify (https://acme.example/v?t=1)\n")
        #expect(generated.html?.contains("Zoë &amp; Co") == true)

        let written = try await send(server, EmailRequest(to: "a@example.org", usageType: .signIn, payload: ["code": "42"]))
        #expect(written.text == "Code: 42\n")

        let htmlOnly = try await send(server, EmailRequest(to: "a@example.org", usageType: .forgotPassword, payload: ["code": "7"]))
        #expect(htmlOnly.structure == "text/html")
    }

    @Test func requestContentAndAttachmentsReplaceTheTemplate() async throws {
        let server = try DevServer.started()
        defer { server.stop() }
        let parsed = try await send(server, EmailRequest(
            to: "a@example.org", usageType: .generic, payload: ["name": "Ada"],
            attachments: [EmailAttachment(filename: "logo.png", data: Data([0x89, 0x50, 0x4E, 0x47]), contentID: "logo"),
                          EmailAttachment(filename: "Übersicht.pdf", data: Data("%PDF".utf8))],
            content: EmailContent(subject: "Report for {{name}}", html: "<img src=\"cid:logo\"><p>Hello {{name}}</p>")))
        #expect(parsed.subject == "Report for Ada")
        #expect(parsed.structure == "multipart/mixed(multipart/related(multipart/alternative(text/plain,text/html),image/png),application/pdf)")
        #expect(parsed.text == "Hello Ada\n")
        #expect(parsed.attachments.map(\.filename) == ["logo.png", "Übersicht.pdf"])
    }

    @Test func fileAttachmentsHonourDisableFileAccess() async throws {
        let server = try DevServer.started()
        defer { server.stop() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attachment-\(UUID().uuidString).txt").path
        try "file contents".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let request = EmailRequest(to: "a@example.org", usageType: .generic, payload: ["code": "1"],
                                   attachments: [EmailAttachment(filename: "notes.txt", source: .path(path))])
        let parsed = try await send(server, request)
        #expect(parsed.attachments.first?.size == 13)

        let connector = try SMTPConnectorFactory().makeConnector(
            config: Self.config(port: server.port, caPEM: server.certificatePEM, extra: ["disableFileAccess": true]))
        let error = try await #require(throws: ConnectorError.self) { try await connector.send(request) }
        #expect(error.code == .invalidRequest)
        #expect(error.message.contains("disableFileAccess"))
    }

    @Test(arguments: ["rsa", "ed25519"])
    func dkimSignedMessagesVerify(algorithm: String) async throws {
        let server = try DevServer.started()
        defer { server.stop() }
        let key = try await TestSupport.DKIMKey.make(algorithm)
        _ = try await send(server, EmailRequest(to: "a@example.org", usageType: .register, payload: ["code": "9", "user": ["name": "Zoë"]]),
                           extra: ["dkim": ["domainName": "example.com", "keySelector": "s1", "privateKey": .string(key.privatePEM)]])
        let signed = try #require(server.messages.last).data
        #expect(String(decoding: signed, as: UTF8.self).hasPrefix("DKIM-Signature: v=1;"))
        #expect(try await key.verify(signed) == "pass")
    }

    @Test func badDKIMSettingsAreConfigErrors() {
        let base = Self.config(port: 587, caPEM: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----").objectValue!
        var config = base
        config["dkim"] = ["domainName": "example.com", "keySelector": "s1", "privateKey": "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----"]
        #expect(SMTPConnectorConfig.validate(.object(config)).map(\.path) == ["dkim.privateKey"])
        config["dkim"] = ["domainName": "example.com", "privateKey": "/nonexistent/key.pem", "hashAlgo": "sha1"]
        #expect(Set(SMTPConnectorConfig.validate(.object(config)).map(\.path)) == ["dkim.keySelector", "dkim.hashAlgo"])
        config["dkim"] = ["domainName": "example.com", "keySelector": "s1", "privateKey": "/nonexistent/key.pem"]
        #expect(SMTPConnectorConfig.validate(.object(config)).first?.message == "names the file /nonexistent/key.pem, which cannot be read")
    }
}
