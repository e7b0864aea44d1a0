import Foundation
import Testing
import TestSupport
@testable import MIME

/// Random messages (seeded, so a failure can be replayed) composed here and read back by
/// Python's `email` package: no defects, and exactly the text, names and files that went in.
@Suite struct RoundTripPropertyTests {
    static let alphabets: [[Unicode.Scalar]] = [
        Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".unicodeScalars),
        Array(" .,;:!?'\"()[]<>@#$%&*+-=/\\_`~|{}^".unicodeScalars),
        Array("àéîõüçñßøåæœÀÉÎÕÜÇÑ".unicodeScalars),
        Array("абвгдежзийклмнопрстуфхцчшщыэюя".unicodeScalars),
        Array("αβγδεζηθικλμνξοπρστυφχψω".unicodeScalars),
        Array("中文汉字测试验证码你好世界日本語かなカナ한국어".unicodeScalars),
        Array("עבריתالعربية".unicodeScalars),
        Array("😀🎉📎✉️🚀👍🏽🇩🇪".unicodeScalars),
        ["\u{301}", "\u{200D}", "\u{A0}", "\u{2009}"],
    ]

    static func text<G: RandomNumberGenerator>(_ length: ClosedRange<Int>, using generator: inout G) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: length, using: &generator) {
            let alphabet = alphabets.randomElement(using: &generator)!
            scalars.append(alphabet.randomElement(using: &generator)!)
        }
        return String(scalars)
    }

    static func body<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var lines: [String] = []
        for _ in 0..<Int.random(in: 0...12, using: &generator) {
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: lines.append("." + text(0...10, using: &generator))
            case 1: lines.append("From " + text(0...20, using: &generator))
            case 2: lines.append(String(repeating: "long ", count: Int.random(in: 100...400, using: &generator)))
            case 3: lines.append("")
            default: lines.append(text(1...120, using: &generator))
            }
        }
        let separators = ["\n", "\r\n", "\r"]
        return lines.map { $0 + separators.randomElement(using: &generator)! }.joined()
    }

    /// What a reader should see: "\n" line endings, ending with one.
    /// Works on scalars: Foundation's string replacement treats "\r" or "\n" followed by a combining
    /// mark (U+0301) as one unit and would leave it alone.
    static func expectedText(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                scalars.append("\n")
            } else if scalar != "\n" || !previousWasCR {
                scalars.append(scalar)
            }
            previousWasCR = scalar == "\r"
        }
        if scalars.last != "\n" { scalars.append("\n") }
        return String(scalars)
    }

    @Test func twoHundredRandomMessagesRoundTripThroughPython() async throws {
        var generator = SeededGenerator(state: 20_261_125)
        var messages: [MailMessage] = []
        for index in 0..<200 {
            let subject = Self.text(0...140, using: &generator).trimmingCharacters(in: .whitespaces)
            let name = Self.text(1...40, using: &generator).trimmingCharacters(in: .whitespaces)
            let attachments = (0..<Int.random(in: 0...2, using: &generator)).map { _ in
                Attachment(filename: Self.text(1...60, using: &generator).trimmingCharacters(in: .whitespaces) + ".bin",
                           data: Data((0..<Int.random(in: 0...4000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }))
            }
            let html: String? = index % 3 == 0 ? nil : "<p>" + Self.body(using: &generator) + "</p>"
            messages.append(MailMessage(
                from: Mailbox("sender@example.com", displayName: name.isEmpty ? nil : name),
                to: [Mailbox("to\(index)@example.org", displayName: Self.text(0...20, using: &generator))],
                subject: subject, text: index % 3 == 1 ? nil : Self.body(using: &generator), html: html,
                attachments: attachments))
        }
        let composed = try messages.map { try MessageComposer().compose($0) }
        let parsed = try await TestSupport.parseWithPython(batch: composed)
        for (index, (message, result)) in zip(messages, parsed).enumerated() {
            let context = Comment(rawValue: "message \(index) (seed 20261125)")
            #expect(result.defects.isEmpty, context)
            #expect(result.bareLF == 0 && result.bareCR == 0, context)
            #expect(result.maxLineLength <= 998, context)
            #expect(result.subject == message.subject, context)
            #expect(result.fromNames == [[message.from.displayName ?? "", "sender@example.com"]], context)
            #expect(result.toNames == [[message.to[0].displayName ?? "", message.to[0].address]], context)
            if let text = message.text { #expect(result.text == Self.expectedText(text), context) }
            if let html = message.html { #expect(result.html == Self.expectedText(html), context) }
            #expect(result.attachments.map(\.filename) == message.attachments.map(\.filename), context)
            #expect(result.attachments.map(\.size) == message.attachments.map(\.data.count), context)
        }
    }
}
