import DevServer
import Foundation
import Testing
import TestSupport
@testable import SMTP
import SMTPWire

@Suite struct AuthMechanismTests {
    @Test func cramMD5MatchesRFC2195sExample() {
        // RFC 2195 §2: user "tim", password "tanstaaftanstaaf".
        let challenge = Data("<1896.697170952@postoffice.reston.mci.net>".utf8).base64EncodedString()
        let response = SASLMechanism.cramMD5Response(SMTPCredentials(user: "tim", password: "tanstaaftanstaaf"),
                                                     challenge: challenge)
        #expect(response == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw")
    }

    @Test func xoauth2ResponseHasGooglesFormat() {
        let response = SASLMechanism.xoauth2Response(user: "someuser@example.com", token: "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")
        // The example from Google's XOAUTH2 protocol documentation.
        #expect(response == "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==")
    }

    @Test func cramMD5IsPreferredAndWorksAgainstAScriptedServer() async throws {
        let server = try ScriptedServer { peer in
            try peer.greetAndHello(["AUTH LOGIN PLAIN CRAM-MD5"])
            try peer.expect("AUTH CRAM-MD5")
            let challenge = Data("<1896.697170952@postoffice.reston.mci.net>".utf8).base64EncodedString()
            try peer.send("334 \(challenge)\r\n")
            let answer = try peer.readLine()
            guard answer == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw" else {
                throw ScriptedPeer.ScriptError(description: "wrong CRAM-MD5 answer \(answer)")
            }
            try peer.send("235 2.7.0 ok\r\n")
            try peer.acceptMessage()
        }
        let result = try await FaultInjectionTests.client(server, credentials: SMTPCredentials(user: "tim", password: "tanstaaftanstaaf"))
            .send(envelope: FaultInjectionTests.envelope, message: FaultInjectionTests.message)
        await server.finish()
        #expect(result.authenticatedWith == .cramMD5)
    }

    @Test func xoauth2UsesTheHostsTokenProviderAndMasksTheToken() async throws {
        let token = "ya29.secret-token-value"
        let server = try ScriptedServer { peer in
            try peer.greetAndHello(["AUTH PLAIN LOGIN XOAUTH2"])
            let line = try peer.expect("AUTH XOAUTH2 ")
            let decoded = Data(base64Encoded: String(line.dropFirst("AUTH XOAUTH2 ".count))).map { String(decoding: $0, as: UTF8.self) }
            guard decoded == "user=me@example.test\u{01}auth=Bearer \(token)\u{01}\u{01}" else {
                throw ScriptedPeer.ScriptError(description: "bad XOAUTH2 response \(decoded ?? "?")")
            }
            try peer.send("235 2.7.0 Accepted\r\n")
            try peer.acceptMessage()
        }
        let calls = TestSupport.LineCollector()
        let lines = TestSupport.LineCollector()
        let client = try FaultInjectionTests.client(server) {
            $0.oauth2 = SMTPOAuth2(user: "me@example.test", accessToken: { calls.append("asked"); return token })
            $0.allowsPlaintextAuthentication = true
            $0.transcript = { lines.append($0.description) }
        }
        let result = try await client.send(envelope: FaultInjectionTests.envelope, message: FaultInjectionTests.message)
        await server.finish()
        #expect(result.authenticatedWith == .xoauth2)
        #expect(calls.all.count == 1)
        #expect(lines.all.contains("C: AUTH XOAUTH2 <redacted>"))
        #expect(!lines.all.joined().contains(token))
    }

    @Test func xoauth2ErrorChallengeIsAnsweredAndReported() async throws {
        let json = #"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#
        let server = try ScriptedServer { peer in
            try peer.greetAndHello(["AUTH XOAUTH2"])
            try peer.expect("AUTH XOAUTH2 ")
            try peer.send("334 \(Data(json.utf8).base64EncodedString())\r\n")
            let empty = try peer.readLine()
            guard empty.isEmpty else { throw ScriptedPeer.ScriptError(description: "expected an empty line, got \(empty)") }
            try peer.send("535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 https://support.google.com/mail - gsmtp\r\n")
        }
        let client = try FaultInjectionTests.client(server) {
            $0.oauth2 = SMTPOAuth2(user: "me@example.test", token: "expired-token-123")
            $0.allowsPlaintextAuthentication = true
        }
        let error = try #require(await FaultInjectionTests.sendExpectingError(client))
        await server.finish()
        #expect(error.kind == .authentication)
        #expect(error.reply?.code == 535)
        #expect(error.message.contains(#""status":"401""#))
        #expect(error.hint?.contains("token") == true)
        #expect(!error.description.contains("expired-token-123"))
    }

    @Test func aLongTokenWaitsForTheEmptyChallenge() async throws {
        let token = String(repeating: "t", count: 1_200)
        let server = try ScriptedServer { peer in
            try peer.greetAndHello(["AUTH XOAUTH2"])
            let line = try peer.readLine()
            guard line == "AUTH XOAUTH2" else { throw ScriptedPeer.ScriptError(description: "expected AUTH XOAUTH2 alone, got \(line.prefix(40))") }
            try peer.send("334 \r\n")
            let response = try peer.readLine()
            guard response.count > 1_200 else { throw ScriptedPeer.ScriptError(description: "short response") }
            try peer.send("235 ok\r\n")
            try peer.acceptMessage()
        }
        let client = try FaultInjectionTests.client(server) {
            $0.oauth2 = SMTPOAuth2(user: "me@example.test", token: token)
            $0.allowsPlaintextAuthentication = true
        }
        _ = try await client.send(envelope: FaultInjectionTests.envelope, message: FaultInjectionTests.message)
        await server.finish()
    }

    @Test func pinnedMechanismMustBeOffered() async throws {
        let server = try ScriptedServer { peer in
            try peer.greetAndHello(["AUTH PLAIN"])
            peer.stall(2)
        }
        let error = try #require(await FaultInjectionTests.sendExpectingError(
            FaultInjectionTests.client(server, credentials: SMTPCredentials(user: "u", password: "p")) { $0.mechanism = .cramMD5 }))
        await server.finish()
        #expect(error.kind == .authentication)
        #expect(error.message.contains("does not offer AUTH CRAM-MD5; it offers PLAIN"))
    }

    @Test(arguments: ["user\r\nMAIL FROM:<x@y.z>", "nul\0user"])
    func controlCharactersInTheUserNameAreRefused(user: String) async throws {
        let server = try ScriptedServer { peer in
            try peer.greetAndHello(["AUTH PLAIN"])
            peer.stall(2)
        }
        let error = try #require(await FaultInjectionTests.sendExpectingError(
            FaultInjectionTests.client(server, credentials: SMTPCredentials(user: user, password: "p"))))
        await server.finish()
        #expect(error.kind == .invalidInput)
        #expect(error.message.contains("auth.user"))
        #expect(!server.lines.contains { $0.hasPrefix("AUTH") })
    }

    @Test func credentialsPrintMasksOnly() {
        let credentials = SMTPCredentials(user: "ada@example.test", password: "hunter2")
        let oauth = SMTPOAuth2(user: "ada@example.test", token: "ya29.token")
        var dumped = ""
        dump(credentials, to: &dumped)
        dump(oauth, to: &dumped)
        for text in ["\(credentials)", String(reflecting: credentials), "\(oauth)", String(reflecting: oauth), dumped] {
            #expect(!text.contains("ada") && !text.contains("hunter2") && !text.contains("ya29"))
            #expect(text.contains("********"))
        }
    }
}
