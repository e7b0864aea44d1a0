import Foundation
import Testing
@testable import SMTPWire

@Suite struct ReplyDecoderTests {
    private func decodeAll(_ chunks: [String]) throws -> [SMTPReply] {
        var decoder = ReplyDecoder()
        var replies: [SMTPReply] = []
        for chunk in chunks {
            decoder.feed(Array(chunk.utf8))
            while let reply = try decoder.next() { replies.append(reply) }
        }
        return replies
    }

    @Test func decodesMultiLineRepliesWithEnhancedCodes() throws {
        let replies = try decodeAll(["250-mail.example.com\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n"])
        #expect(replies == [SMTPReply(code: 250, lines: ["mail.example.com", "PIPELINING", "AUTH PLAIN LOGIN"])])

        let auth = try decodeAll(["535 5.7.8 Username and Password not accepted. Learn more at\r\n"])
        #expect(auth.first?.enhancedCode == "5.7.8")
        #expect(auth.first?.text == "Username and Password not accepted. Learn more at")
    }

    @Test func aReplySplitAcrossReadsWaitsForItsEnd() throws {
        var decoder = ReplyDecoder()
        decoder.feed(Array("250-first\r\n25".utf8))
        #expect(try decoder.next() == nil)
        decoder.feed(Array("0 last\r".utf8))
        #expect(try decoder.next() == nil)
        decoder.feed(Array("\n".utf8))
        #expect(try decoder.next()?.lines == ["first", "last"])
    }

    @Test func severalRepliesInOneReadComeOutInOrder() throws {
        let replies = try decodeAll(["250 2.1.0 Ok\r\n550 5.1.1 No such user\r\n354 Go ahead\r\n"])
        #expect(replies.map(\.code) == [250, 550, 354])
        #expect(replies[1].enhancedCode == "5.1.1")
        #expect(replies[2].enhancedCode == nil)
    }

    @Test func enhancedCodeMustMatchTheReplyClass() {
        #expect(ReplyDecoder.splitEnhancedCode("5.7.8 bad", replyCode: 250).0 == nil)
        #expect(ReplyDecoder.splitEnhancedCode("2.0.0 ok", replyCode: 250).0 == "2.0.0")
        #expect(ReplyDecoder.splitEnhancedCode("2.0 ok", replyCode: 250).0 == nil)
        // Subject and detail are one to three ASCII digits (RFC 3463 §2); anything else is text.
        #expect(ReplyDecoder.splitEnhancedCode("2.1234.0 ok", replyCode: 250).0 == nil)
        #expect(ReplyDecoder.splitEnhancedCode("2.1.0.1 ok", replyCode: 250).0 == nil)
        #expect(ReplyDecoder.splitEnhancedCode("2.\u{663}.0 ok", replyCode: 250).0 == nil)
        #expect(ReplyDecoder.splitEnhancedCode("2.1.0", replyCode: 250) == ("2.1.0", ""))
        #expect(ReplyDecoder.splitEnhancedCode("2.1.0   Ok  ", replyCode: 250) == ("2.1.0", "Ok  "))
    }

    @Test func aReplyHasAnEnhancedCodeOnlyWhenEveryLineCarriesTheSameOne() throws {
        #expect(try decodeAll(["250-2.0.0 a\r\n250 2.0.0 b\r\n"]).first?.enhancedCode == "2.0.0")
        // Lines that disagree: the last line's code (what the server ended on).
        #expect(try decodeAll(["250-2.0.0 a\r\n250 2.1.5 b\r\n"]).first?.enhancedCode == "2.1.5")
    }

    @Test func repliesFedOneByteAtATimeDecodeAsFromOneRead() throws {
        let text = "220 mx ESMTP\r\n250-mx\r\n250-PIPELINING\r\n250 2.0.0 ok\r\n354 go\n550 5.1.1 \u{00E9}t\u{00E9}\r\n"
        let whole = try decodeAll([text])
        #expect(whole.count == 4)
        #expect(whole.map(\.code) == [220, 250, 354, 550])
        #expect(whole[3].text == "\u{00E9}t\u{00E9}")
        var decoder = ReplyDecoder()
        var bytewise: [SMTPReply] = []
        for byte in text.utf8 {
            decoder.feed([byte])
            while let reply = try decoder.next() { bytewise.append(reply) }
        }
        #expect(bytewise == whole)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test(arguments: ["hello world\r\n", "99 too short code\r\n", "250x bad separator\r\n", "700 out of range\r\n"])
    func garbageIsAProtocolFailure(line: String) {
        #expect(throws: ReplyDecoder.Failure.self) { try decodeAll([line]) }
    }

    @Test func aMultiLineReplyMayNotChangeItsCode() {
        #expect(throws: ReplyDecoder.Failure.self) { try decodeAll(["250-a\r\n550 b\r\n"]) }
    }

    @Test func overLongLinesFailBeforeBufferingWithoutBound() {
        var decoder = ReplyDecoder()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1024)
        var failed = false
        for _ in 0..<64 {
            decoder.feed(chunk)
            do { _ = try decoder.next() } catch { failed = true; break }
        }
        #expect(failed)
        #expect(decoder.bufferedByteCount <= ReplyDecoder.maxLineLength + chunk.count)
    }

    @Test func tooManyLinesInOneReplyFail() {
        let lines = String(repeating: "250-x\r\n", count: ReplyDecoder.maxLines + 1) + "250 end\r\n"
        #expect(throws: ReplyDecoder.Failure.self) { try decodeAll([lines]) }
    }

    @Test func resetDropsBufferedBytes() throws {
        var decoder = ReplyDecoder()
        decoder.feed(Array("250 injected\r\n".utf8))
        decoder.reset()
        #expect(decoder.bufferedByteCount == 0)
        #expect(try decoder.next() == nil)
    }
}

@Suite struct DotStufferTests {
    private func stuff(_ text: String) -> String {
        String(decoding: DotStuffer.encode(Array(text.utf8)), as: UTF8.self)
    }

    @Test func doublesLeadingDotsAndTerminates() {
        #expect(stuff("a\r\n.b\r\n..c\r\n") == "a\r\n..b\r\n...c\r\n.\r\n")
        #expect(stuff(".") == "..\r\n.\r\n")
        #expect(stuff("") == ".\r\n")
    }

    @Test func bareLineEndingsBecomeCRLFSoDataCannotEndEarly() {
        // SMTP smuggling (CVE-2023-51764): "\n.\r\n" or "\r.\r" must never reach the server as a terminator.
        #expect(stuff("x\n.\r\nMAIL FROM:<evil@example.com>\r\n") == "x\r\n..\r\nMAIL FROM:<evil@example.com>\r\n.\r\n")
        #expect(stuff("x\r.\ry") == "x\r\n..\r\ny\r\n.\r\n")
        #expect(stuff("no final newline") == "no final newline\r\n.\r\n")
    }

    @Test func outputHasNoBareCROrLF() {
        let encoded = DotStuffer.encode(Array("a\rb\nc\r\n\r\rd\n\n.".utf8))
        for (index, byte) in encoded.enumerated() {
            if byte == 13 { #expect(encoded[index + 1] == 10) }
            if byte == 10 { #expect(index > 0 && encoded[index - 1] == 13) }
        }
    }
}

@Suite struct WireTypeTests {
    @Test func extensionsAreParsedFromTheEHLOReply() {
        let reply = SMTPReply(code: 250, lines: ["mx.example.com", "PIPELINING", "SIZE 35882577", "AUTH LOGIN PLAIN XOAUTH2",
                                                 "AUTH=LOGIN", "starttls", "8BITMIME", "SMTPUTF8"])
        let extensions = ServerExtensions(ehloReply: reply)
        #expect(extensions.startTLS && extensions.pipelining && extensions.eightBitMIME && extensions.smtpUTF8)
        #expect(extensions.maximumSize == 35_882_577)
        #expect(extensions.authMechanisms == ["LOGIN", "PLAIN", "XOAUTH2"])
        #expect(!ServerExtensions(ehloReply: SMTPReply(code: 250, lines: ["x", "SIZE 0"])).maximumSize.map { $0 > 0 }.isTrue)
    }

    @Test func authPayloadsAreRedactedInTranscripts() {
        #expect(SMTPCommand.auth(mechanism: "PLAIN", initialResponse: "AHVzZXIAc2VjcmV0").redactedLine == "AUTH PLAIN <redacted>")
        #expect(SMTPCommand.authResponse("c2VjcmV0").redactedLine == "<redacted>")
        #expect(SMTPCommand.mailFrom("a@b.c", parameters: ["SIZE=10"]).line == "MAIL FROM:<a@b.c> SIZE=10\r\n")
        #expect(SMTPCommand.rcptTo("x@y.z").redactedLine == "RCPT TO:<x@y.z>")
    }

    @Test func plainResponseCarriesUTF8Credentials() {
        let response = SASLMechanism.plainResponse(SMTPCredentials(user: "üser", password: "pässwörd-测试"))
        let decoded = [UInt8](Data(base64Encoded: response)!)
        #expect(decoded == [0] + Array("üser".utf8) + [0] + Array("pässwörd-测试".utf8))
    }

    @Test func credentialsNeverPrintThePassword() {
        #expect(!"\(SMTPCredentials(user: "u", password: "hunter2"))".contains("hunter2"))
    }
}

private extension Optional where Wrapped == Bool {
    var isTrue: Bool { self == true }
}
