import Testing
import SMTPWire

/// The server side reads back exactly what the client encodes.
@Suite struct CommandParserTests {
    @Test(arguments: [
        SMTPCommand.ehlo("client.example"), .helo("client.example"), .startTLS, .auth(mechanism: "PLAIN", initialResponse: "AGEAYg=="),
        .auth(mechanism: "LOGIN", initialResponse: nil), .mailFrom("a@example.com", parameters: ["SIZE=10", "BODY=8BITMIME"]),
        .mailFrom("", parameters: []), .rcptTo("b@example.org"), .data, .rset, .noop, .quit,
    ])
    func everyEncodedCommandParsesBack(_ command: SMTPCommand) throws {
        #expect(try SMTPCommand(parsing: String(command.line.dropLast())) == command)  // "\r\n" is one Character
    }

    @Test(arguments: [("FOO bar", 502), ("MAIL TO:<a@b>", 501), ("RCPT TO:<>", 501), ("EHLO", 501), ("MAIL FROM:a@b", 501), ("AUTH", 501),
                      // Found by the command-parser fuzz target: control characters reached the session.
                      ("MAIL FROM:<a@b> BODY=8B\0ME", 501), ("EHLO a\rb", 501), ("RCPT TO:<a\u{7F}@b>", 501)])
    func badLinesCarryTheReplyToSend(_ line: String, _ code: Int) {
        let error = #expect(throws: SMTPCommand.ParseError.self) { try SMTPCommand(parsing: line) }
        #expect(error?.reply.code == code)
    }

    @Test func verbsAreCaseInsensitive() throws {
        #expect(try SMTPCommand(parsing: "mail from:<a@b> size=3") == .mailFrom("a@b", parameters: ["size=3"]))
    }

    @Test func repliesAreWrittenAsTheDecoderReadsThem() throws {
        let reply = SMTPReply(code: 250, enhancedCode: "2.0.0", lines: ["first", "second"])
        #expect(reply.wireText == "250-2.0.0 first\r\n250 2.0.0 second\r\n")
        var decoder = ReplyDecoder()
        decoder.feed(Array(reply.wireText.utf8))
        #expect(try decoder.next() == reply)
    }
}
