import Foundation
import Testing
import SMTPWire

/// Each mechanism's exchange, reply by reply, without a socket.
@Suite struct SASLClientTests {
    static let credentials = SMTPCredentials(user: "tim", password: "tanstaaftanstaaf")
    static func reply(_ code: Int, _ text: String = "") -> SMTPReply { SMTPReply(code: code, lines: [text]) }

    @Test func plainSendsEverythingInTheInitialResponse() {
        var sasl = SASLClient(.plain, credentials: Self.credentials)
        #expect(sasl.start() == .auth(mechanism: "PLAIN", initialResponse: SASLMechanism.plainResponse(Self.credentials)))
        #expect(sasl.receive(Self.reply(235)) == .succeeded)
    }

    @Test func aLongInitialResponseWaitsForAnEmptyChallenge() {
        let long = SMTPCredentials(user: "u", password: String(repeating: "p", count: 500))
        var sasl = SASLClient(.plain, credentials: long)
        #expect(sasl.start() == .auth(mechanism: "PLAIN", initialResponse: nil))
        #expect(sasl.receive(Self.reply(334)) == .send(.authResponse(SASLMechanism.plainResponse(long))))
        #expect(sasl.receive(Self.reply(535)) == .failed(Self.reply(535), detail: nil))
    }

    @Test func loginAnswersTwoChallenges() {
        var sasl = SASLClient(.login, credentials: Self.credentials)
        #expect(sasl.start() == .auth(mechanism: "LOGIN", initialResponse: nil))
        #expect(sasl.receive(Self.reply(334, "VXNlcm5hbWU6")) == .send(.authResponse("dGlt")))
        #expect(sasl.receive(Self.reply(334, "UGFzc3dvcmQ6")) == .send(.authResponse(SASLMechanism.base64("tanstaaftanstaaf"))))
        #expect(sasl.receive(Self.reply(235)) == .succeeded)
    }

    /// RFC 2195 §2's example: the digest of the challenge with the password "tanstaaftanstaaf".
    @Test func cramMD5AnswersTheRFCExample() {
        var sasl = SASLClient(.cramMD5, credentials: Self.credentials)
        #expect(sasl.start() == .auth(mechanism: "CRAM-MD5", initialResponse: nil))
        let challenge = Data("<1896.697170952@postoffice.reston.mci.net>".utf8).base64EncodedString()
        #expect(sasl.receive(Self.reply(334, challenge)) == .send(.authResponse("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw")))
        #expect(sasl.receive(Self.reply(235)) == .succeeded)
    }

    @Test func anInvalidChallengeIsCancelledWithAStar() {
        var sasl = SASLClient(.cramMD5, credentials: Self.credentials)
        _ = sasl.start()
        let bad = Self.reply(334, "not base64 at all!")
        #expect(sasl.receive(bad) == .send(.authResponse("*")))
        #expect(sasl.receive(Self.reply(501, "cancelled")) == .invalidChallenge(bad))
    }

    @Test func xoauth2ReadsTheErrorChallengeThenTheFinalReply() {
        var sasl = SASLClient(user: "me@example.com", token: "ya29.x")
        #expect(sasl.start() == .auth(mechanism: "XOAUTH2", initialResponse: SASLMechanism.xoauth2Response(user: "me@example.com", token: "ya29.x")))
        let json = #"{"status":"401"}"#
        #expect(sasl.receive(Self.reply(334, Data(json.utf8).base64EncodedString())) == .send(.authResponse("")))
        #expect(sasl.receive(Self.reply(535, "no")) == .failed(Self.reply(535, "no"), detail: json))
    }

    @Test func aRefusalAtTheFirstReplyFails() {
        var sasl = SASLClient(.login, credentials: Self.credentials)
        _ = sasl.start()
        #expect(sasl.receive(Self.reply(504, "unknown")) == .failed(Self.reply(504, "unknown"), detail: nil))
    }
}
