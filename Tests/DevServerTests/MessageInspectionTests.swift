import Foundation
import Testing
import TestSupport
@testable import DevServer

/// Taking captured mail apart (messages written by Python's `email` package, an independent
/// producer), the checks, and each message's masked session transcript.
@Suite struct MessageInspectionTests {
    private func pythonMessage() async throws -> [UInt8] {
        let script = """
        import sys
        from email.message import EmailMessage
        from email.policy import SMTP
        m = EmailMessage(policy=SMTP)
        m["From"] = "Acme <no-reply@acme.test>"
        m["To"] = "ada@example.test"
        m["Subject"] = "Grüße, your code is 482913"
        m.set_content("Hello,\\nyour code is 482913. Café " + "x" * 120 + "\\n", cte="quoted-printable")
        m.add_alternative("<p>Your code is <b>482913</b> {{ leftover }}</p>", subtype="html", cte="base64")
        m.add_attachment(b"%PDF-1.4 binary \\x00\\x01", maintype="application", subtype="pdf", filename="Bericht für März.pdf")
        sys.stdout.buffer.write(m.as_bytes())
        """
        return try await TestSupport.run([TestSupport.python, "-c", script])
    }

    @Test func alternativesAttachmentsAndEncodedWordsComeApart() async throws {
        let content = MessageContent(try await pythonMessage())
        #expect(content.header("Subject") == "Grüße, your code is 482913")
        #expect(content.text?.contains("Café " + String(repeating: "x", count: 120)) == true)  // quoted-printable soft breaks undone
        #expect(content.html?.trimmingCharacters(in: .newlines) == "<p>Your code is <b>482913</b> {{ leftover }}</p>")
        let attachment = try #require(content.attachments.first)
        #expect(content.attachments.count == 1)
        #expect(attachment.filename == "Bericht für März.pdf")  // RFC 2231
        #expect(attachment.mediaType == "application/pdf")
        #expect(attachment.data == Array("%PDF-1.4 binary \u{0}\u{1}".utf8))
    }

    @Test func checksFindPlaceholdersTheCodeAndLongLines() async throws {
        let data = try await pythonMessage()
        let checks = MessageCheck.standard(data: data, content: MessageContent(data), code: nil)
        let byName = Dictionary(uniqueKeysWithValues: checks.map { ($0.name, $0) })
        #expect(byName["placeholders"]?.status == .fail)
        #expect(byName["placeholders"]?.detail.contains("{{ leftover }} in html") == true)
        #expect(byName["code"]?.status == .pass && byName["code"]?.detail.contains("482913") == true)
        #expect(byName["lineLength"]?.status == .pass)

        let missing = MessageCheck.standard(data: data, content: MessageContent(data), code: "111111")
        #expect(missing.first { $0.name == "code" }?.detail.contains("missing from text/plain and text/html") == true)
        let long = Array(("Subject: x\r\n\r\n" + String(repeating: "a", count: 1200) + "\r\n").utf8)
        #expect(MessageCheck.standard(data: long, content: MessageContent(long), code: nil).first { $0.name == "lineLength" }?.status == .fail)
    }

    @Test func eachMessageKeepsItsSessionTranscriptWithAuthMasked() async throws {
        let server = try DevServer.started(users: ["py": "Hunter2-secret"])
        defer { server.stop() }
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent("inspection-ca-\(UUID().uuidString).pem")
        try server.certificatePEM.write(to: caFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: caFile) }
        let script = """
        import smtplib, ssl, sys
        client = smtplib.SMTP("localhost", int(sys.argv[1]), timeout=10)
        client.starttls(context=ssl.create_default_context(cafile=sys.argv[2]))
        client.login("py", "Hunter2-secret")
        for n in (1, 2):
            client.sendmail("py@example.test", ["ada@example.test"], f"Subject: {n}\\r\\n\\r\\nbody {n}\\r\\n".encode())
        client.quit()
        """
        _ = try await TestSupport.run([TestSupport.python, "-c", script, String(server.port), caFile.path])
        let messages = server.messages
        #expect(messages.map(\.id) == [1, 2])
        let first = messages[0].transcript, second = messages[1].transcript
        let joined = (first + second).joined(separator: "\n")
        #expect(!joined.contains("Hunter2-secret"))
        #expect(!joined.contains(Data("\u{0}py\u{0}Hunter2-secret".utf8).base64EncodedString()))
        #expect(first.contains { $0.uppercased().hasPrefix("C: AUTH PLAIN ********") || $0 == "C: ********" }, "\(first)")
        #expect(first.contains { $0.hasPrefix("* TLS established (TLSv1.") })
        #expect(first.last == "S: 250 2.0.0 Ok: queued as DEV1" && second.last == "S: 250 2.0.0 Ok: queued as DEV2")
        // The second message carries the session's opening and its own transaction, not the first's.
        #expect(second.contains { $0.uppercased().hasPrefix("C: STARTTLS") })
        #expect(second.filter { $0.uppercased().hasPrefix("C: MAIL FROM") }.count == 1, "\(second)")
        #expect(server.removeMessage(id: 1) && !server.removeMessage(id: 1))
        #expect(server.messages.map(\.id) == [2] && server.message(id: 2) != nil)
    }
}
