import Foundation
import Testing
import TestSupport
@testable import MIME

/// RFC 5322 §2.1.1 and §3.2.2: every header line the composer writes is at most 998 octets (78 where
/// the content allows), whatever the input, and no folded line is whitespace only.
@Suite struct HeaderLineLimitTests {
    static let from = Mailbox("sender@example.com")
    static let to = [Mailbox("ada@example.org")]

    /// The header lines of a composed message, folded lines kept apart.
    static func headerLines(_ bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
        return head.components(separatedBy: "\r\n")
    }

    static func checkLines(_ lines: [String], limit: Int = 998, sourceLocation: SourceLocation = #_sourceLocation) {
        for line in lines {
            #expect(line.utf8.count <= limit, "a \(line.utf8.count)-octet line: \(line.prefix(60))…", sourceLocation: sourceLocation)
            #expect(!line.allSatisfy { $0 == " " || $0 == "\t" }, "a whitespace-only line", sourceLocation: sourceLocation)
        }
    }

    /// A letter carrying 1,000 combining marks: one grapheme cluster of 2,001 octets.
    static let zalgo = "e" + String(repeating: "\u{301}", count: 1000)

    @Test func aCharacterWithManyCombiningMarksIsSplitBetweenCodePoints() async throws {
        let subject = "Code " + Self.zalgo + " " + Self.zalgo
        let message = MailMessage(from: Self.from, to: Self.to, subject: subject, text: "hi")
        let bytes = try MessageComposer().compose(message)
        Self.checkLines(Self.headerLines(bytes), limit: 78)
        let parsed = try await TestSupport.parseWithPython(bytes)
        #expect(parsed.subject == subject)
        #expect(parsed.defects.isEmpty)
    }

    @Test(arguments: [
        String(repeating: "x", count: 2000),
        Array(repeating: "Ab\"c", count: 400).joined(separator: " "),
        String(repeating: "é", count: 2000),
        Array(repeating: String(repeating: "w", count: 100), count: 20).joined(separator: " "),
    ])
    func aLongDisplayNameFolds(_ name: String) async throws {
        let message = MailMessage(from: Mailbox("sender@example.com", displayName: name),
                                  to: [Mailbox("ada@example.org", displayName: name)], replyTo: Mailbox("r@example.org", displayName: name),
                                  subject: "s", text: "hi")
        let bytes = try MessageComposer().compose(message)
        Self.checkLines(Self.headerLines(bytes), limit: 78)
        let parsed = try await TestSupport.parseWithPython(bytes)
        #expect(parsed.fromNames == [[name.trimmingCharacters(in: .whitespaces), "sender@example.com"]])
        #expect(parsed.toNames == [[name.trimmingCharacters(in: .whitespaces), "ada@example.org"]])
        #expect(parsed.defects.isEmpty)
    }

    @Test(arguments: [
        "Welcome   ", "Trailing tab\t", "   leading", String(repeating: "word    ", count: 60),
        "a" + String(repeating: " ", count: 3000) + "b", String(repeating: " ", count: 1200),
        "x " + String(repeating: "\t", count: 2000), String(repeating: "y", count: 3000),
    ])
    func spacesNeverMakeAWhitespaceOnlyOrOverlongLine(_ subject: String) async throws {
        let message = MailMessage(from: Self.from, to: Self.to, subject: subject, text: "hi",
                                  headers: [("X-Note", subject)])
        let bytes = try MessageComposer().compose(message)
        Self.checkLines(Self.headerLines(bytes))
        let parsed = try await TestSupport.parseWithPython(bytes)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.maxLineLength <= 998)
    }

    @Test func anAttachmentNameWithManyCombiningMarksStaysWithinTheLimit() async throws {
        let name = Self.zalgo + ".pdf"
        let message = MailMessage(from: Self.from, to: Self.to, subject: "s", text: "hi",
                                  attachments: [Attachment(filename: name, data: Data([1, 2, 3]))])
        let bytes = try MessageComposer().compose(message)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        let parsed = try await TestSupport.parseWithPython(bytes)
        #expect(parsed.attachments.map(\.filename) == [name])
    }

    @Test func aCustomHeaderNameHasALengthLimit() throws {
        let name = "X-" + String(repeating: "a", count: 75)
        let message = MailMessage(from: Self.from, to: Self.to, subject: "s", text: "hi", headers: [(name, "v")])
        let error = #expect(throws: MIMEError.self) { try MessageComposer().compose(message) }
        #expect(error?.field.hasPrefix("header X-aaa") == true)
        #expect(error?.message.contains("at most 76") == true)
        let fits = MailMessage(from: Self.from, to: Self.to, subject: "s", text: "hi", headers: [(String(name.prefix(76)), "v")])
        Self.checkLines(Self.headerLines(try MessageComposer().compose(fits)))
    }

    @Test func aMessageIDOrMediaTypeThatCannotFitIsRefusedNamingTheField() throws {
        let longID = MailMessage(from: Self.from, to: Self.to, subject: "s", text: "hi",
                                 messageID: String(repeating: "i", count: 1000) + "@example.com")
        #expect((#expect(throws: MIMEError.self) { try MessageComposer().compose(longID) })?.field == "messageID")
        let longType = MailMessage(from: Self.from, to: Self.to, subject: "s", text: "hi",
                                   attachments: [Attachment(filename: "a", data: Data(), contentType: "application/" + String(repeating: "x", count: 1000))])
        #expect((#expect(throws: MIMEError.self) { try MessageComposer().compose(longType) })?.field == "attachments[0].contentType")
    }

    /// Random header text from spaces, tabs, long words, combining marks and emoji: the line rules hold.
    @Test func randomHeaderTextKeepsTheLineRules() async throws {
        // Seconds of CPU in all: on a thread of its own, off the cooperative pool the tests beside it use.
        try await OwnThreadExecutor.run { try randomHeaders() }
    }

    private func randomHeaders() throws {
        var generator = SeededGenerator(state: 998)
        let pieces = [" ", "  ", "\t", "word", String(repeating: "z", count: 120), "é", "\u{301}", "😀", "=?", Self.zalgo]
        for _ in 0..<300 {
            let subject = (0..<Int.random(in: 1...60, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let name = (0..<Int.random(in: 1...30, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let message = MailMessage(from: Mailbox("sender@example.com", displayName: name), to: Self.to, subject: subject,
                                      text: "hi", headers: [("X-Random", subject)])
            Self.checkLines(Self.headerLines(try MessageComposer().compose(message)))
        }
    }
}
