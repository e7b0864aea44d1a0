import Testing
@testable import MIME

/// The one pass that prepares a text part: line endings, the final CRLF and the encoding choice.
@Suite struct TextBodyTests {
    @Test(arguments: [
        ("a\nb\rc\r\nd", "a\r\nb\r\nc\r\nd\r\n"),
        ("\r\r\n\n", "\r\n\r\n\r\n"),
        ("", "\r\n"),
        ("ends\r\n", "ends\r\n"),
        ("ends with CR\r", "ends with CR\r\n"),
    ])
    func everyLineEndingBecomesCRLFAndTheTextEndsWithOne(input: String, expected: String) {
        #expect(TextBody(input).bytes == Array(expected.utf8))
    }

    @Test func sevenBitHoldsLinesOfUpTo998Octets() {
        // RFC 5322 §2.1.1: at most 998 octets before the CRLF.
        #expect(TextBody(String(repeating: "a", count: 998)).encoding == .sevenBit)
        #expect(TextBody(String(repeating: "a", count: 998) + "\nshort").encoding == .sevenBit)
        #expect(TextBody(String(repeating: "a", count: 999)).encoding == .quotedPrintable)
        #expect(TextBody("short\n" + String(repeating: "a", count: 999) + "\nshort").encoding == .quotedPrintable)
    }

    @Test func nonASCIIOrNULPicksAnEncodingThatCarriesIt() {
        #expect(TextBody("caf\u{00E9} au lait, a long enough line of ASCII").encoding == .quotedPrintable)
        #expect(TextBody("nul \u{0000} inside").encoding == .quotedPrintable)
        #expect(TextBody("\u{4F60}\u{597D}\u{4E16}\u{754C}").encoding == .base64)
    }

    @Test func sevenBitContentIsTheNormalizedBytesThemselves() {
        let body = TextBody("line one\nline two")
        #expect(body.encoded == Array("line one\r\nline two\r\n".utf8))
        let encoded = TextBody("caf\u{00E9}\n").encoded
        #expect(String(decoding: encoded, as: UTF8.self) == "caf=C3=A9\r\n")
    }
}
