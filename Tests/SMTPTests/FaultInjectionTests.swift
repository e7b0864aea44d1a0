import Foundation
import Testing
@testable import SMTP
import SMTPWire

/// The client against a server that misbehaves on purpose, one phase at a time.
@Suite struct FaultInjectionTests {
    static let envelope = SMTPEnvelope(from: "app@example.test", recipients: ["ada@example.test"])
    static let message = Array("Subject: t\r\n\r\nbody\r\n".utf8)

    static func client(_ server: ScriptedServer, security: SMTPClientConfiguration.Security = .plaintext,
                       credentials: SMTPCredentials? = nil, socketTimeout: Double = 5,
                       adjust: (inout SMTPClientConfiguration) -> Void = { _ in }) throws -> SMTPClient {
        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: server.port, security: security)
        configuration.timeouts = .init(connection: 5, greeting: 5, socket: socketTimeout)
        configuration.tls.trustedCertificatesPEM = server.certificatePEM
        configuration.tls.serverName = "localhost"
        configuration.credentials = credentials
        configuration.allowsPlaintextAuthentication = credentials != nil && security == .plaintext
        adjust(&configuration)
        return try SMTPClient(configuration: configuration)
    }

    static func sendExpectingError(_ client: SMTPClient, envelope: SMTPEnvelope = envelope,
                                   message: [UInt8] = message) async -> SMTPError? {
        do {
            _ = try await client.send(envelope: envelope, message: message)
            return nil
        } catch {
            return error as? SMTPError
        }
    }

    /// Where a scripted server stops cooperating.
    enum Phase: String, CaseIterable, Sendable {
        case greeting, ehlo, auth, mail, rcpt, data, body
        var smtpPhase: SMTPPhase {
            switch self {
            case .greeting: return .greeting
            case .ehlo: return .ehlo
            case .auth: return .auth
            case .mail: return .mail
            case .rcpt: return .rcpt
            case .data, .body: return .data
            }
        }
    }

    /// Runs a normal plaintext session up to `phase`, then calls `fault`.
    static func script(until phase: Phase, fault: @escaping @Sendable (ScriptedPeer) throws -> Void) throws -> ScriptedServer {
        try ScriptedServer { peer in
            if phase == .greeting { return try fault(peer) }
            try peer.send("220 scripted.test ESMTP\r\n")
            try peer.expect("EHLO")
            if phase == .ehlo { return try fault(peer) }
            try peer.sendEHLOReply(["AUTH PLAIN"])
            try peer.expect("AUTH PLAIN")
            if phase == .auth { return try fault(peer) }
            try peer.send("235 2.7.0 ok\r\n")
            try peer.expect("MAIL FROM:")
            if phase == .mail { return try fault(peer) }
            try peer.send("250 2.1.0 Ok\r\n")
            try peer.expect("RCPT TO:")
            if phase == .rcpt { return try fault(peer) }
            try peer.send("250 2.1.5 Ok\r\n")
            try peer.expect("DATA")
            if phase == .data { return try fault(peer) }
            try peer.send("354 go\r\n")
            _ = try peer.readData()
            try fault(peer)
        }
    }

    static let credentials = SMTPCredentials(user: "u", password: "p")

    @Test(arguments: Phase.allCases)
    func connectionDroppedAtEachPhase(phase: Phase) async throws {
        let server = try Self.script(until: phase) { $0.hangUp() }
        let error = try #require(await Self.sendExpectingError(Self.client(server, credentials: Self.credentials)))
        await server.finish()
        #expect(error.phase == phase.smtpPhase)
        #expect(error.kind == .connectionClosed, "a hang-up is not a protocol violation")
        #expect(error.outcomeUnknown == (phase == .body), "only a drop after the body leaves the outcome unknown")
        #expect(error.isTransient == (phase != .body))
    }

    @Test(arguments: Phase.allCases)
    func reply421AtEachPhase(phase: Phase) async throws {
        let server = try Self.script(until: phase) { peer in
            try peer.send("421 4.3.2 Service shutting down\r\n")
            _ = try? peer.readLine(timeout: 2)  // a QUIT would be recorded; the client should just hang up
        }
        let error = try #require(await Self.sendExpectingError(Self.client(server, credentials: Self.credentials)))
        await server.finish()
        #expect(error.phase == phase.smtpPhase)
        #expect(error.reply?.code == 421)
        #expect(error.reply?.enhancedCode == "4.3.2")
        #expect(error.isTransient)
        #expect(!error.outcomeUnknown)
        #expect(error.hint?.contains("try again later") == true)
        // No QUIT after 421: the client closes at once instead of talking to a closing server.
        #expect(!server.lines.contains("QUIT"))
    }

    @Test(arguments: [Phase.greeting, .ehlo, .mail, .rcpt, .data, .body])
    func stallFailsAfterThatPhasesTimeout(phase: Phase) async throws {
        let server = try Self.script(until: phase) { $0.stall(180) }
        let start = Date()
        // 5 s for every phase: the phases before the stalled one must never time out on a loaded
        // machine (0.4 s once did not leave room for a scripted reply late by a time slice).
        let client = try Self.client(server, credentials: Self.credentials, socketTimeout: 5) {
            $0.timeouts.greeting = 5
        }
        let error = try #require(await Self.sendExpectingError(client))
        let elapsed = Date().timeIntervalSince(start)
        await server.finish()
        #expect(error.kind == .timeout)
        #expect(error.phase == phase.smtpPhase)
        #expect(error.message.contains(phase == .greeting ? "greetingTimeout" : "socketTimeout"))
        #expect(error.outcomeUnknown == (phase == .body))
        // The phase's 5 s timeout ended it, not the server (which stalls for 180 s).
        #expect(elapsed < 60, "ended by the phase's 5 s timeout, not by the server's 180 s stall: \(elapsed) s")
    }

    @Test func repliesSplitIntoSingleBytesAreReassembled() async throws {
        let server = try ScriptedServer { peer in
            try peer.sendByteByByte("220 scripted.test ESMTP\r\n")
            try peer.expect("EHLO")
            try peer.sendByteByByte("250-scripted.test\r\n250-SIZE 100000\r\n250 8BITMIME\r\n")
            try peer.acceptMessage()
            try peer.expect("QUIT")
            try peer.send("221 bye\r\n")
        }
        let result = try await Self.client(server).send(envelope: Self.envelope, message: Self.message)
        await server.finish()
        #expect(result.response.code == 250)
        #expect(server.lines.contains { $0.hasPrefix("MAIL FROM:<app@example.test> SIZE=") })
    }

    @Test func garbageGreetingIsAProtocolError() async throws {
        let server = try ScriptedServer { peer in
            try peer.send("HTTP/1.1 400 Bad Request\r\n\r\n")
            peer.stall(1)
        }
        let error = try #require(await Self.sendExpectingError(Self.client(server)))
        await server.finish()
        #expect(error.kind == .protocolViolation)
        #expect(error.phase == .greeting)
        #expect(error.message.contains("HTTP/1.1 400"))
    }

    @Test func overLongReplyLineFailsWithBoundedBuffering() async throws {
        let server = try ScriptedServer { peer in
            try peer.send("220-")
            // 1 MiB without a line ending: the client must give up long before buffering it all.
            let chunk = String(repeating: "a", count: 64 * 1024)
            for _ in 0..<16 { try? peer.send(chunk) }
            peer.stall(1)
        }
        let error = try #require(await Self.sendExpectingError(Self.client(server)))
        await server.finish()
        #expect(error.kind == .protocolViolation)
        #expect(error.message.contains("longer than \(ReplyDecoder.maxLineLength) bytes"))
    }

    @Test func plaintextInjectedAfterSTARTTLSIsDiscarded() async throws {
        let server = try ScriptedServer { peer in
            try peer.greetAndHello(["STARTTLS"])
            try peer.expect("STARTTLS")
            // The 220 and a forged EHLO reply in one write, before the handshake (CVE-2011-0411 style).
            try peer.send("220 2.0.0 Ready\r\n250-forged.test\r\n250 AUTH PLAIN\r\n")
            try peer.startTLS()
            try peer.expect("EHLO")
            try peer.sendEHLOReply(["AUTH LOGIN"])
            // The client must use what the server said after TLS (LOGIN), not the forged PLAIN.
            try peer.expect("AUTH LOGIN")
            try peer.send("334 VXNlcm5hbWU6\r\n")
            _ = try peer.readLine()
            try peer.send("334 UGFzc3dvcmQ6\r\n")
            _ = try peer.readLine()
            try peer.send("235 2.7.0 ok\r\n")
            try peer.acceptMessage()
        }
        let result = try await Self.client(server, security: .startTLSRequired, credentials: Self.credentials)
            .send(envelope: Self.envelope, message: Self.message)
        await server.finish()
        #expect(result.authenticatedWith == .login)
        #expect(result.tlsVersion != nil)
        #expect(server.lines.filter { $0.hasPrefix("EHLO") }.count == 2)
    }

    @Test func onePermanentRecipientFailureStillDeliversToTheOthers() async throws {
        for pipelining in [false, true] {
            let server = try ScriptedServer { peer in
                try peer.greetAndHello(pipelining ? ["PIPELINING"] : [])
                try peer.expect("MAIL FROM:")
                if !pipelining { try peer.send("250 2.1.0 Ok\r\n") }
                for index in 0..<3 {
                    try peer.expect("RCPT TO:")
                    if !pipelining { try peer.send(index == 1 ? "550 5.1.1 <b@example.test>: no such user\r\n" : "250 2.1.5 Ok\r\n") }
                }
                try peer.expect("DATA")
                if pipelining {
                    try peer.send("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 <b@example.test>: no such user\r\n250 2.1.5 Ok\r\n354 go\r\n")
                } else {
                    try peer.send("354 go\r\n")
                }
                _ = try peer.readData()
                try peer.send("250 2.0.0 queued\r\n")
            }
            let envelope = SMTPEnvelope(from: "app@example.test", recipients: ["a@example.test", "b@example.test", "c@example.test"])
            let result = try await Self.client(server).send(envelope: envelope, message: Self.message)
            await server.finish()
            #expect(result.accepted == ["a@example.test", "c@example.test"])
            #expect(result.rejected.map(\.recipient) == ["b@example.test"])
            #expect(result.rejected.first?.reply.code == 550)
            #expect(result.rejected.first?.reply.enhancedCode == "5.1.1")
        }
    }

    @Test func everyRecipientRefusedSendsNoBody() async throws {
        let server = try ScriptedServer { peer in
            try peer.greetAndHello(["PIPELINING"])
            try peer.expect("MAIL FROM:")
            try peer.expect("RCPT TO:")
            try peer.expect("DATA")
            try peer.send("250 2.1.0 Ok\r\n550 5.1.1 no such user\r\n554 5.5.1 Error: no valid recipients\r\n")
            // A fresh connection has nothing to reset for: QUIT at once.
            let next = try peer.readLine()
            guard next == "QUIT" else { throw ScriptedPeer.ScriptError(description: "expected QUIT, got \(next)") }
            try peer.send("221 2.0.0 Bye\r\n")
        }
        let error = try #require(await Self.sendExpectingError(Self.client(server)))
        await server.finish()
        #expect(error.phase == .rcpt)
        #expect(error.reply?.code == 550)
        #expect(error.isPermanent)
    }

    @Test func pipeliningSendsTheWholeEnvelopeInOneWrite() async throws {
        let server = try ScriptedServer { peer in
            try peer.greetAndHello(["PIPELINING"])
            // Nothing is answered until MAIL, both RCPTs and DATA have arrived: a client that waits
            // for each reply would stall here until its own socket timeout (5 s) and fail.
            try peer.expect("MAIL FROM:")
            let linesInFirstChunk = peer.linesInLastChunk
            try peer.expect("RCPT TO:<a@example.test>")
            try peer.expect("RCPT TO:<b@example.test>")
            try peer.expect("DATA")
            guard linesInFirstChunk == 4 else {
                throw ScriptedPeer.ScriptError(description: "the envelope came in pieces (\(linesInFirstChunk) lines in the first read)")
            }
            try peer.send("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n")
            _ = try peer.readData()
            try peer.send("250 2.0.0 queued\r\n")
        }
        let envelope = SMTPEnvelope(from: "app@example.test", recipients: ["a@example.test", "b@example.test"])
        let result = try await Self.client(server).send(envelope: envelope, message: Self.message)
        await server.finish()
        #expect(result.accepted.count == 2)
    }

    @Test func sizeLimitIsEnforcedBeforeMAIL() async throws {
        let server = try ScriptedServer { peer in
            try peer.greetAndHello(["SIZE 1000"])
            peer.stall(2)
        }
        let big = Array(repeating: UInt8(ascii: "x"), count: 2_000)
        let error = try #require(await Self.sendExpectingError(Self.client(server), message: big))
        await server.finish()
        #expect(error.kind == .invalidInput)
        #expect(error.message.contains("at most 1000"))
        #expect(!server.lines.contains { $0.hasPrefix("MAIL") })
    }

    @Test func internationalAddressNeedsSMTPUTF8() async throws {
        let utf8Envelope = SMTPEnvelope(from: "app@example.test", recipients: ["δοκιμή@example.test"])
        let without = try ScriptedServer { peer in
            try peer.greetAndHello(["8BITMIME"])
            peer.stall(2)
        }
        let error = try #require(await Self.sendExpectingError(Self.client(without), envelope: utf8Envelope))
        await without.finish()
        #expect(error.kind == .invalidInput)
        #expect(error.message.contains("SMTPUTF8"))

        let with = try ScriptedServer { peer in
            try peer.greetAndHello(["8BITMIME", "SMTPUTF8"])
            let mail = try peer.expect("MAIL FROM:")
            guard mail.hasSuffix("BODY=8BITMIME SMTPUTF8") else {
                throw ScriptedPeer.ScriptError(description: "MAIL lacks SMTPUTF8: \(mail)")
            }
            try peer.send("250 ok\r\n")
            try peer.expect("RCPT TO:<δοκιμή@example.test>")
            try peer.send("250 ok\r\n")
            try peer.expect("DATA")
            try peer.send("354 go\r\n")
            _ = try peer.readData()
            try peer.send("250 queued\r\n")
        }
        _ = try await Self.client(with).send(envelope: utf8Envelope, message: Self.message)
        await with.finish()
    }

    @Test func eightBitContentNeeds8BITMIME() async throws {
        let message = Array("Subject: t\r\n\r\nGrüße\r\n".utf8)
        let without = try ScriptedServer { peer in
            try peer.greetAndHello([])
            peer.stall(2)
        }
        let error = try #require(await Self.sendExpectingError(Self.client(without), message: message))
        await without.finish()
        #expect(error.message.contains("8BITMIME"))

        let with = try ScriptedServer { peer in
            try peer.greetAndHello(["8BITMIME"])
            try peer.expect("MAIL FROM:<app@example.test> BODY=8BITMIME")
            try peer.send("250 ok\r\n")
            try peer.expect("RCPT")
            try peer.send("250 ok\r\n")
            try peer.expect("DATA")
            try peer.send("354 go\r\n")
            _ = try peer.readData()
            try peer.send("250 queued\r\n")
        }
        _ = try await Self.client(with).send(envelope: Self.envelope, message: message)
        await with.finish()
    }

    @Test func heloFallbackAndConfiguredName() async throws {
        let server = try ScriptedServer { peer in
            try peer.send("220 old.test SMTP\r\n")
            try peer.expect("EHLO client.example.com")
            try peer.send("502 5.5.2 Command not recognized\r\n")
            try peer.expect("HELO client.example.com")
            try peer.send("250 old.test\r\n")
            try peer.acceptMessage()
        }
        _ = try await Self.client(server) { $0.clientName = "client.example.com" }
            .send(envelope: Self.envelope, message: Self.message)
        await server.finish()
    }

    @Test func defaultEHLONameIsAnFQDNOrAnAddressLiteral() async throws {
        let server = try ScriptedServer { peer in
            try peer.send("220 scripted.test\r\n")
            let ehlo = try peer.expect("EHLO ")
            let name = String(ehlo.dropFirst(5))
            guard name == "[127.0.0.1]" || (name.contains(".") && !name.contains(" ")) else {
                throw ScriptedPeer.ScriptError(description: "EHLO name \(name)")
            }
            try peer.sendEHLOReply([])
            try peer.acceptMessage()
        }
        _ = try await Self.client(server).send(envelope: Self.envelope, message: Self.message)
        await server.finish()
    }

    @Test(arguments: ["bücher.example", "two words", "line\r\nbreak", ""])
    func unusableEHLONamesAreRefusedBeforeConnecting(name: String) {
        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: 1)
        configuration.clientName = name
        #expect(throws: SMTPError.self) { try SMTPClient(configuration: configuration) }
    }
}
