import Foundation
import Testing
import TestSupport
@testable import MIME

@Suite struct MessageComposerTests {
    private func message(subject: String = "Hello", body: MailMessage.Body = .init(.plain, "Hi"),
                         headers: [(name: String, value: String)] = []) -> MailMessage {
        MailMessage(from: Mailbox("app@example.com", displayName: "Acme Café"),
                    to: [Mailbox("ada@example.org")], replyTo: Mailbox("help@example.com"),
                    subject: subject, body: body, headers: headers)
    }

    private func composed(_ message: MailMessage) throws -> String {
        String(decoding: try MessageComposer().compose(message), as: UTF8.self)
    }

    @Test func nonASCIISubjectAndNamesReadBackExactlyInPythonsParser() async throws {
        let subject = "Grüße aus Köln — 验证码 123456 ✉ " + String(repeating: "ünïcödé ", count: 12)
        let bytes = try MessageComposer().compose(message(subject: subject))
        let parsed = try await TestSupport.parseWithPython(bytes)
        #expect(parsed.subject == subject)
        #expect(parsed.from == "Acme Café <app@example.com>")
        #expect(parsed.replyTo == "help@example.com")
        #expect(parsed.defects.isEmpty)
        #expect(parsed.maxLineLength <= 78)
        #expect(parsed.bareLF == 0)
        // RFC 2047 §2: a line holding an encoded-word is at most 76 characters.
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.filter { $0.contains("=?UTF-8?") }.allSatisfy { $0.utf8.count <= 76 })
    }

    @Test func longASCIISubjectIsFoldedAndUnfoldsToTheSameText() async throws {
        let subject = (1...40).map { "word\($0)" }.joined(separator: " ")
        let text = try composed(message(subject: subject))
        #expect(text.contains("Subject: word1"))
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        #expect(try await TestSupport.parseWithPython(Array(text.utf8)).subject == subject)
    }

    @Test func encodedWordsNeverSplitACharacterAndStayWithin75Characters() {
        let words = EncodedWord.encode(String(repeating: "😀é", count: 40))
        #expect(words.count > 1)
        for word in words {
            #expect(word.count <= 75)
            let base64 = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            #expect(Data(base64Encoded: String(base64)).flatMap { String(data: $0, encoding: .utf8) } != nil)
        }
    }

    @Test func asciiBodyIs7bitAndNonASCIIBodyRoundTrips() async throws {
        let ascii = try await TestSupport.parseWithPython(MessageComposer().compose(message(body: .init(.plain, "Code: 123456\n"))))
        #expect(ascii.transferEncoding == "7bit")
        #expect(ascii.body == "Code: 123456\n")

        let mostlyASCII = "Hello Zoë,\nyour code is 123456.\n" + String(repeating: "x", count: 200) + "\n"
        let qp = try await TestSupport.parseWithPython(MessageComposer().compose(message(body: .init(.plain, mostlyASCII))))
        #expect(qp.transferEncoding == "quoted-printable")
        #expect(qp.body == mostlyASCII)
        #expect(qp.maxLineLength <= 76)

        let chinese = "您好，您的验证码是 123456。\n请勿将验证码告诉他人。\n"
        let b64 = try await TestSupport.parseWithPython(MessageComposer().compose(message(body: .init(.html, chinese))))
        #expect(b64.transferEncoding == "base64")
        #expect(b64.contentType == "text/html")
        #expect(b64.charset == "utf-8")
        #expect(b64.body == chinese)
    }

    @Test func everyLineEndingBecomesCRLF() async throws {
        let bytes = try MessageComposer().compose(message(body: .init(.plain, "a\nb\rc\r\nd\n.\n")))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasSuffix("\r\n\r\na\r\nb\r\nc\r\nd\r\n.\r\n"))
        #expect(try await TestSupport.parseWithPython(bytes).bareLF == 0)
    }

    @Test func quotedPrintableEscapesTrailingWhitespaceAndEquals() {
        #expect(QuotedPrintable.encode("a = b \r\nc\t") == "a =3D b=20\r\nc=09")
        let long = QuotedPrintable.encode(String(repeating: "é", count: 60))
        #expect(long.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
    }

    @Test func requiredHeadersArePresent() async throws {
        let parsed = try await TestSupport.parseWithPython(MessageComposer().compose(message()))
        #expect(parsed.date != nil)
        #expect(parsed.messageId?.hasSuffix("@example.com>") == true)
        #expect(parsed.headers(named: "MIME-Version") == ["1.0"])
    }

    @Test func customHeadersAreWrittenAndNonASCIIValuesEncoded() async throws {
        let parsed = try await TestSupport.parseWithPython(MessageComposer().compose(
            message(headers: [("X-Campaign", "welcome"), ("X-Note", "Café ✓")])))
        #expect(parsed.headers(named: "X-Campaign") == ["welcome"])
        #expect(parsed.headers(named: "X-Note") == ["Café ✓"])
    }

    @Test(arguments: ["Hello\r\nBcc: victim@example.com", "Hello\nX: y", "Hello\rX: y", "Hello\0"])
    func lineBreaksInTheSubjectAreRefused(subject: String) {
        #expect(throws: MIMEError.self) { try MessageComposer().compose(message(subject: subject)) }
    }

    @Test func headerInjectionInCustomHeadersAndNamesIsRefused() {
        #expect(throws: MIMEError(field: "header X-A", "contains a line feed (LF), which could inject a header line; remove it")) {
            try MessageComposer().compose(message(headers: [("X-A", "v\nBcc: x@example.com")]))
        }
        #expect(throws: MIMEError.self) { try MessageComposer().compose(message(headers: [("Bad Name", "v")])) }
        #expect(throws: MIMEError.self) { try MessageComposer().compose(message(headers: [("Content-Type", "text/evil")])) }
    }

    @Test func displayNamesWithLineBreaksOrNULAreRefusedWhenComposing() {
        for name in ["Evil\r\nBcc: victim@example.com", "Evil\nBcc: x@y.z", "Evil\rX", "Evil\0"] {
            var fromMessage = message()
            fromMessage.from = Mailbox("a@example.com", displayName: name)
            #expect(throws: MIMEError.self, "\(name.debugDescription) in From") { try MessageComposer().compose(fromMessage) }
            var replyMessage = message()
            replyMessage.replyTo = Mailbox("r@example.com", displayName: name)
            #expect(throws: MIMEError.self, "\(name.debugDescription) in Reply-To") { try MessageComposer().compose(replyMessage) }
            var toMessage = message()
            toMessage.to = [Mailbox("b@example.com", displayName: name)]
            #expect(throws: MIMEError.self, "\(name.debugDescription) in To") { try MessageComposer().compose(toMessage) }
        }
    }

    @Test func displayNamesAreQuotedOrEncodedAsNeeded() {
        #expect(HeaderWriter.format(Mailbox("a@b.c", displayName: "Ada Lovelace")) == "Ada Lovelace <a@b.c>")
        #expect(HeaderWriter.format(Mailbox("a@b.c", displayName: "Lovelace, Ada \"AL\"")) == #""Lovelace, Ada \"AL\"" <a@b.c>"#)
        #expect(HeaderWriter.format(Mailbox("a@b.c", displayName: "Zoë")) == "=?UTF-8?B?Wm/Dqw==?= <a@b.c>")
    }
}

@Suite struct MailboxTests {
    @Test func parsesNameAndAddressForms() throws {
        #expect(try Mailbox(parsing: "Acme <no-reply@acme.com>", field: "f") == Mailbox("no-reply@acme.com", displayName: "Acme"))
        #expect(try Mailbox(parsing: "\"Acme, Inc\" <a@acme.com>", field: "f") == Mailbox("a@acme.com", displayName: "Acme, Inc"))
        #expect(try Mailbox(parsing: "  a@acme.com ", field: "f") == Mailbox("a@acme.com"))
    }

    @Test(arguments: ["no-at-sign", "a@", "@b.com", "a b@c.com", "a@b.com\r\nBcc: x@y.z", "a@b.com>", "a\u{85}b@c.com",
                      String(repeating: "a", count: 65) + "@b.com"])
    func refusesUnusableAddresses(address: String) {
        #expect(throws: MIMEError.self) { try Mailbox(parsing: address, field: "to[0]") }
    }

    @Test func errorsNameTheField() {
        do {
            _ = try Mailbox(parsing: "nope", field: "to[3]")
            Issue.record("expected an error")
        } catch {
            #expect((error as? MIMEError)?.field == "to[3]")
        }
    }
}
