import Foundation
import Testing
import TestSupport
@testable import MIME

@Suite struct MultipartTests {
    let from = Mailbox("app@example.com", displayName: "Acme")
    let to = [Mailbox("ada@example.org")]
    let png = Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 * 7) })
    let pdf = Data("%PDF-1.4 fake".utf8)

    private func parse(_ message: MailMessage) async throws -> TestSupport.ParsedEmail {
        try await TestSupport.parseWithPython(MessageComposer().compose(message))
    }

    @Test func textAndHTMLBecomeAlternativeWithTextFirst() async throws {
        let parsed = try await parse(MailMessage(from: from, to: to, subject: "s", text: "Code 123\n", html: "<b>Code 123</b>\n"))
        #expect(parsed.structure == "multipart/alternative(text/plain,text/html)")
        #expect(parsed.text == "Code 123\n")
        #expect(parsed.html == "<b>Code 123</b>\n")
        #expect(parsed.defects.isEmpty)
    }

    @Test func nestingIsMixedThenRelatedThenAlternative() async throws {
        let message = MailMessage(
            from: from, to: to, subject: "Invoice", text: "See attached.", html: "<img src=\"cid:logo@acme\"> See attached.",
            attachments: [Attachment(filename: "logo.png", data: png, contentID: "logo@acme"),
                          Attachment(filename: "invoice.pdf", data: pdf)])
        let parsed = try await parse(message)
        #expect(parsed.structure == "multipart/mixed(multipart/related(multipart/alternative(text/plain,text/html),image/png),application/pdf)")
        let logo = try #require(parsed.attachments.first { $0.filename == "logo.png" })
        #expect(logo.disposition == "inline")
        #expect(logo.contentID == "<logo@acme>")
        #expect(logo.size == png.count)
        let invoice = try #require(parsed.attachments.first { $0.filename == "invoice.pdf" })
        #expect(invoice.contentType == "application/pdf")
        #expect(invoice.disposition == "attachment")
        #expect(parsed.defects.isEmpty)
        #expect(parsed.maxLineLength <= 78)
    }

    @Test func inlineImagesWithoutHTMLAreOrdinaryAttachments() async throws {
        let parsed = try await parse(MailMessage(from: from, to: to, subject: "s", text: "t",
                                                  attachments: [Attachment(filename: "a.png", data: png, contentID: "a")]))
        #expect(parsed.structure == "multipart/mixed(text/plain,image/png)")
    }

    @Test(arguments: ["Résumé – Zoë (final).pdf", "报告 2026年 第一季度 财务 汇总 与 分析 以及 附录 完整版 最终稿.xlsx",
                      "quote\"and\\backslash.txt", "emoji 📎 file.txt", String(repeating: "long-name-", count: 12) + ".csv"])
    func fileNamesInAnyScriptSurviveRFC2231(filename: String) async throws {
        let bytes = try MessageComposer().compose(MailMessage(from: from, to: to, subject: "s", text: "t",
                                                               attachments: [Attachment(filename: filename, data: pdf)]))
        let parsed = try await TestSupport.parseWithPython(bytes)
        #expect(parsed.attachments.first?.filename == filename)
        #expect(parsed.defects.isEmpty)
        // Parameter lines are folded within 78; only a long media type (.xlsx) may pass it on its own line.
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.filter { $0.contains("name") }.allSatisfy { $0.utf8.count <= 78 })
    }

    @Test func contentTypeComesFromTheExtension() {
        #expect(Attachment(filename: "a.PDF", data: Data()).contentType == "application/pdf")
        #expect(Attachment(filename: "photo.jpeg", data: Data()).contentType == "image/jpeg")
        #expect(Attachment(filename: "noextension", data: Data()).contentType == "application/octet-stream")
        #expect(Attachment(filename: "x.bin", data: Data(), contentType: "application/x-custom").contentType == "application/x-custom")
    }

    @Test func badAttachmentFieldsAreNamed() {
        let cases: [(MIME.Attachment, String)] = [
            (Attachment(filename: "a\r\nb.txt", data: Data()), "attachments[0].filename"),
            (Attachment(filename: "a.txt", data: Data(), contentType: "text plain"), "attachments[0].contentType"),
            (Attachment(filename: "a.png", data: Data(), contentID: "<x>"), "attachments[0].contentID"),
        ]
        for (attachment, field) in cases {
            #expect {
                try MessageComposer().compose(MailMessage(from: from, to: to, subject: "s", text: "t", attachments: [attachment]))
            } throws: { ($0 as? MIMEError)?.field == field }
        }
    }

    @Test func headersForThreadingAndUnsubscribePassThrough() async throws {
        let parsed = try await parse(MailMessage(
            from: from, to: to, subject: "Re: hello", text: "t",
            headers: [("In-Reply-To", "<abc@example.com>"),
                      ("References", "<abc@example.com> <def@example.com> <ghi@example.com> <jkl@example.com> <mno@example.com>"),
                      ("List-Unsubscribe", "<mailto:unsubscribe@acme.com?subject=unsubscribe>, <https://acme.com/unsubscribe?u=42>"),
                      ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]))
        #expect(parsed.headers(named: "In-Reply-To") == ["<abc@example.com>"])
        #expect(parsed.headers(named: "References").first?.contains("<mno@example.com>") == true)
        #expect(parsed.headers(named: "List-Unsubscribe").first?.hasSuffix("<https://acme.com/unsubscribe?u=42>") == true)
        #expect(parsed.maxLineLength <= 78)
    }

    @Test func aLineLongerThan998OctetsIsNeverSentAsIs() async throws {
        let long = String(repeating: "x", count: 5_000)
        let bytes = try MessageComposer().compose(MailMessage(from: from, to: to, subject: "s", text: long))
        let parsed = try await TestSupport.parseWithPython(bytes)
        #expect(parsed.maxLineLength <= 78)
        #expect(parsed.text == long + "\n")
    }
}

@Suite struct InternationalAddressTests {
    @Test(arguments: [("bücher", "bcher-kva"), ("münchen", "mnchen-3ya"), ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
                      ("ليهمابتكلموشعربي؟", "egbpdaj6bu4bxfgehfvwxn"), ("MajiでKoiする5秒前", "MajiKoi5-783gue6qz075azm5e")])
    func punycodeMatchesRFC3492(input: String, expected: String) {
        #expect(Punycode.encode(input) == expected)
    }

    @Test func domainsBecomeASCIIWithXNPrefix() {
        #expect(Punycode.asciiDomain("Bücher.Example") == "xn--bcher-kva.example")
        #expect(Punycode.asciiDomain("例え.テスト") == "xn--r8jz45g.xn--zckzah")
        #expect(Punycode.asciiDomain("plain.example.com") == "plain.example.com")
        #expect(Mailbox("info@bücher.example").wireAddress == "info@xn--bcher-kva.example")
        #expect(!Mailbox("info@bücher.example").needsSMTPUTF8)
        #expect(Mailbox("δοκιμή@example.test").needsSMTPUTF8)
    }

    @Test func internationalAddressesInHeadersParseBack() async throws {
        let message = MailMessage(from: Mailbox("no-reply@bücher.example", displayName: "Bücher"),
                                  to: [Mailbox("δοκιμή@παράδειγμα.δοκιμή")], subject: "s", text: "t")
        #expect(message.envelopeRecipients == ["δοκιμή@xn--hxajbheg2az3al.xn--jxalpdlp"])
        let parsed = try await TestSupport.parseWithPython(MessageComposer().compose(message))
        #expect(parsed.from == "Bücher <no-reply@xn--bcher-kva.example>")
        #expect(parsed.to == "δοκιμή@xn--hxajbheg2az3al.xn--jxalpdlp")
        #expect(parsed.defects.isEmpty)
    }
}

@Suite struct DateHeaderTests {
    @Test func matchesFoundationsFormatterOverCenturies() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let date = Date(timeIntervalSince1970: Double(Int64.random(in: -2_000_000_000...6_000_000_000, using: &generator)))
            #expect(MessageComposer.dateText(date) == formatter.string(from: date))
        }
    }
}

@Suite struct Base64LineTests {
    @Test func matchesFoundationForEveryLengthAroundLineBoundaries() {
        for length in Array(0...200) + [56 * 57, 57 * 57, 57 * 57 + 1, 100_000] {
            let data = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            let ours = String(decoding: Base64.encodeLines(data), as: UTF8.self)
            let foundation = data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            #expect(ours == (foundation.isEmpty ? "" : foundation + "\r\n"), "length \(length)")
            #expect(Base64.encodedLineSize(length) == ours.utf8.count)
        }
    }
}
