import Testing
@testable import MIME

/// Every address (to, cc, bcc, fromEmail, replyTo) is checked against RFC 5321's Mailbox grammar
/// before it can reach RCPT or a header.
@Suite struct AddressSyntaxTests {
    @Test(arguments: [
        "a@b.example(ceo@corp.example)", "x\"@a.com", "team:boss@corp.example", "a..b@example.com", ".a@example.com",
        "a.@example.com", "a b@example.com", "a@-x.example", "a@x-.example", "a@x_y.example", "a@example.com.",
        "a@.example.com", "a@[300.1.1.1]", "a@[1.2.3]", "a@[IPv6:1::2::3]", "a@[IPv6:12345::1]", "a@[example.com]",
        "a@[IPv6:1:2:3:4:5:6:7::]", "a@[IPv6:1.2.3.4::]", "a@[IPv6:1:2:3:4:5::1.2.3.4]", "a@[IPv6:２００１:db8::1]",
        "\"unterminated@example.com", "\"a\"b\"@example.com", "\"<x>\"@example.com", "a(comment)@example.com",
        "a@exam ple.com", "a@", "@example.com", "plain", "a@b@", "a\\b@example.com",
    ])
    func refusesWhatTheMailboxGrammarDoesNotAllow(_ address: String) {
        let error = #expect(throws: MIMEError.self) { try Mailbox(address).validate(field: "to[0]") }
        #expect(error?.field == "to[0]")
        #expect(error?.message.contains(address) == true)
    }

    @Test(arguments: [
        "ada@example.com", "user+tag@sub.example.co.uk", "o'brien@example.ie", "a@localhost", "\"john doe\"@example.com",
        "\"a@b\"@example.com", "\"quote\\\"d\"@example.com", "用户@例子.测试", "ada@bücher.example", "a@[192.0.2.1]",
        "a@[IPv6:2001:db8::1]", "a@[IPv6:::1]", "a@[IPv6:2001:db8:0:0:0:0:0:1]", "a@[IPv6:::ffff:192.0.2.1]", "a@[IPv6:1:2:3:4:5:6::]",
        "a@[IPv6:1:2:3:4::192.0.2.1]", "a@[IPv6:1:2:3:4:5:6:192.0.2.1]",
        "x@xn--bcher-kva.example", "1234@123.example",
    ])
    func acceptsWhatTheGrammarAllows(_ address: String) throws {
        try Mailbox(address).validate(field: "to[0]")
    }

    /// Found by the punycode fuzz target: "." then a combining mark is one Character, and labels
    /// split on Characters carried the dot into an encoded label (the domain gained a label).
    @Test func labelsAreSplitOnCodePointsAndEveryFullStop() throws {
        let domain = try #require(Punycode.asciiDomain("ex.\u{31C}ample.test"))
        #expect(domain.split(separator: ".").count == 3)
        #expect(!domain.split(separator: ".").contains { $0.hasPrefix("xn--.") })
        #expect(Punycode.asciiDomain("bücher\u{3002}example\u{FF0E}test") == "xn--bcher-kva.example.test")
    }

    @Test func lengthsAreCheckedBeforeAnyPunycodeConversion() {
        // Converted first, this domain would fail as "cannot be converted" (its label is far over 63)
        // after seconds of quadratic work; checked first, it fails on its length at once.
        let address = "a@" + String(repeating: "é", count: 20_000) + ".example"
        let error = #expect(throws: MIMEError.self) { try Mailbox(address).validate(field: "fromEmail") }
        #expect(error?.message.contains("longer than SMTP allows") == true)
        #expect(error?.message.contains("octets)") == true)
    }

    @Test(arguments: [
        (String(repeating: "a", count: 65) + "@example.com", false),
        (String(repeating: "a", count: 64) + "@example.com", true),
        ("a@" + Array(repeating: String(repeating: "b", count: 63), count: 4).joined(separator: "."), false),
        ("a@" + Array(repeating: String(repeating: "b", count: 60), count: 4).joined(separator: "."), true),
        ("a@" + String(repeating: "c", count: 64) + ".example", false),
    ])
    func rfc5321LengthLimits(_ address: String, _ valid: Bool) {
        #expect(((try? Mailbox(address).validate(field: "to")) != nil) == valid)
    }

    /// 663 octets in UTF-8, 247 in punycode (what goes on the wire): valid.
    @Test func anInternationalDomainLongerInUTF8ThanInPunycodeIsAccepted() throws {
        let domain = Array(repeating: String(repeating: "测", count: 55), count: 4).joined(separator: ".")
        #expect(domain.utf8.count == 663)
        let mailbox = Mailbox("a@" + domain)
        try mailbox.validate(field: "to")
        #expect(mailbox.asciiDomain.utf8.count == 247)
    }

    @Test func punycodeRefusesALabelThatCouldNeverFitInsteadOfEncodingIt() {
        #expect(Punycode.encode(String(repeating: "é", count: 63)) != nil)
        #expect(Punycode.encode(String(repeating: "é", count: 64)) == nil)
        #expect(Punycode.asciiDomain(String(repeating: "a", count: 256)) == nil)
        #expect(Punycode.asciiDomain("bücher.example") == "xn--bcher-kva.example")
    }

    @Test func aDisplayNameAroundAnInvalidAddressIsStillRefused() {
        #expect(throws: MIMEError.self) { try Mailbox(parsing: "Boss <team:boss@corp.example>", field: "replyTo") }
        #expect(throws: MIMEError.self) { try Mailbox(parsing: "a@b.example(ceo@corp.example)", field: "replyTo") }
    }
}
