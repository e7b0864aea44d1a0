import Foundation
import Testing
@testable import SMTP
import SMTPWire

/// RFC 6531/6532: a message whose header section holds raw UTF-8 (an address with a non-ASCII local
/// part in Reply-To, say) needs SMTPUTF8 even when every envelope address is ASCII.
@Suite struct InternationalMessageTests {
    static let message = Array("Reply-To: 用户@example.test\r\nSubject: t\r\n\r\nhello\r\n".utf8)

    @Test func utf8InTheHeaderSectionNeedsSMTPUTF8() async throws {
        let without = try ScriptedServer { peer in
            try peer.greetAndHello(["8BITMIME"])
            peer.stall(2)
        }
        let error = try #require(await FaultInjectionTests.sendExpectingError(FaultInjectionTests.client(without), message: Self.message))
        await without.finish()
        #expect(error.kind == .invalidInput)
        #expect(error.phase == .mail)
        #expect(error.message.contains("SMTPUTF8"))
    }

    @Test func utf8InTheHeaderSectionIsSentWithSMTPUTF8() async throws {
        let with = try ScriptedServer { peer in
            try peer.greetAndHello(["8BITMIME", "SMTPUTF8"])
            try peer.acceptMessage(mailSuffix: "BODY=8BITMIME SMTPUTF8")
        }
        _ = try await FaultInjectionTests.client(with).send(envelope: FaultInjectionTests.envelope, message: Self.message)
        await with.finish()
    }

    @Test(arguments: [
        ("Subject: t\r\n\r\nGrüße\r\n", false),
        ("Subject: t\n\nGrüße\n", false),
        ("\r\nGrüße", false),
        ("Subject: Grüße\r\n\r\nhi", true),
        ("From: a@b\r\nReply-To: ü@b\r\n\r\n", true),
    ])
    func onlyTheHeaderSectionCounts(_ text: String, _ expected: Bool) {
        #expect(SMTPClientStateMachine.headerSectionHasEightBitBytes(Array(text.utf8)) == expected)
    }
}
