import NetworkIO
import Testing
@testable import SMTP
import SMTPWire

/// The machine's exact actions for the main paths, event by event, with no network.
@Suite struct SMTPClientStateMachineTests {
    /// An action as text, so tests can compare them exactly.
    static func describe(_ action: SMTPClientStateMachine.Action) -> String {
        switch action {
        case .send(let commands): "send " + commands.map(\.redactedLine).joined(separator: " | ")
        case .read(let timeout): "read \(timeout)"
        case .startTLS(let timeout): "startTLS \(timeout)"
        case .sendBody(let bytes): "body \(bytes.count)"
        case .finish(let outcome): "finish \(name(outcome))"
        case .close(let outcome, let quit): "close \(name(outcome)) quit=\(quit)"
        }
    }

    static func name(_ outcome: SMTPClientStateMachine.Outcome) -> String {
        switch outcome {
        case .opened: "opened"
        case .delivered: "delivered"
        case .senderAccepted: "senderAccepted"
        case .alive: "alive"
        case .closed: "closed"
        case .failed(let error): "failed(\(error.phase): \(error.message))"
        }
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// A plaintext machine without credentials, greeted and past EHLO (`ehloReply`): ready to send.
    static func ready(ehloReply: String) -> SMTPClientStateMachine {
        var machine = SMTPClientStateMachine(configuration: MachineHarness.configuration(security: .plaintext, credentials: nil))
        _ = machine.connected(localAddressLiteral: "[192.0.2.1]")
        _ = machine.received(bytes("220 mx\r\n"))
        let opened = machine.received(bytes(ehloReply))
        precondition(machine.isReady, "not ready: \(describe(opened))")
        return machine
    }

    @Test func startTLSDiscardsWhatCameBeforeTheHandshakeAndSaysEHLOAgain() {
        var machine = SMTPClientStateMachine(configuration: MachineHarness.configuration(), hostName: "client.example")
        #expect(Self.describe(machine.connected(localAddressLiteral: nil)) == "read greeting")
        #expect(Self.describe(machine.received(Self.bytes("220 mx ESMTP\r\n"))) == "send EHLO client.example")
        #expect(Self.describe(machine.received(Self.bytes("250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n"))) == "send STARTTLS")
        // A man in the middle appends a forged EHLO reply offering LOGIN only, in plaintext.
        #expect(Self.describe(machine.received(Self.bytes("220 go\r\n250-mx\r\n250 AUTH LOGIN\r\n"))) == "startTLS socket")
        #expect(machine.extensions.keywords.isEmpty)
        #expect(Self.describe(machine.tlsEstablished(version: "TLSv1.3")) == "send EHLO client.example")
        #expect(Self.describe(machine.received(Self.bytes("250-mx\r\n250 AUTH PLAIN\r\n"))) == "send AUTH PLAIN <redacted>")
        #expect(Self.describe(machine.received(Self.bytes("235 ok\r\n"))) == "finish opened")
        #expect(machine.authenticatedWith == .plain)
    }

    @Test func pipeliningWritesMailEveryRcptAndDataAtOnce() {
        var machine = SMTPClientStateMachine(configuration: MachineHarness.configuration(security: .plaintext, credentials: nil))
        _ = machine.connected(localAddressLiteral: "[192.0.2.1]")
        #expect(Self.describe(machine.received(Self.bytes("220 mx\r\n"))) == "send EHLO [192.0.2.1]")
        #expect(Self.describe(machine.received(Self.bytes("250-mx\r\n250 PIPELINING\r\n"))) == "finish opened")
        let send = machine.send(envelope: SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test", "c@y.test"]), message: Self.bytes("hi"))
        #expect(Self.describe(send) == "send MAIL FROM:<a@x.test> | RCPT TO:<b@y.test> | RCPT TO:<c@y.test> | DATA")
        // Replies split anywhere: the machine keeps asking for more until all four are in.
        #expect(Self.describe(machine.received(Self.bytes("250 ok\r\n550 no such user\r\n25"))) == "read socket")
        #expect(Self.describe(machine.received(Self.bytes("0 ok\r\n354 go\r\n"))) == "body 7")
        #expect(Self.describe(machine.bodyWritten()) == "read socket")
        guard case .finish(.delivered(let result)) = machine.received(Self.bytes("250 queued\r\n")) else {
            Issue.record("not delivered")
            return
        }
        #expect(result.accepted == ["c@y.test"])
        #expect(result.rejected.map(\.recipient) == ["b@y.test"])
        #expect(machine.isReady)
    }

    @Test func credentialsAreNeverOfferedWithoutTLSUnlessAllowed() {
        var machine = SMTPClientStateMachine(configuration: MachineHarness.configuration(security: .plaintext))
        _ = machine.connected(localAddressLiteral: "[192.0.2.1]")
        _ = machine.received(Self.bytes("220 mx\r\n"))
        let action = machine.received(Self.bytes("250-mx\r\n250 AUTH PLAIN\r\n"))
        // The session is in sync: the machine itself ends it with QUIT, then closes on the answer.
        #expect(Self.describe(action) == "send QUIT")
        #expect(Self.describe(machine.received(Self.bytes("221 bye\r\n")))
                == "close failed(auth: refusing to send credentials over an unencrypted connection) quit=true")
    }

    /// QUIT's answer is awaited under the short QUIT timeout; silence or a hang-up there changes
    /// nothing about the outcome, and a reply after it is not waited for.
    @Test func quitIsTheMachinesAndItsAnswerEndsTheConnection() {
        var polite = Self.ready(ehloReply: "250 mx\r\n")
        #expect(Self.describe(polite.quit()) == "send QUIT")
        #expect(polite.pendingTimeout == .quit)
        #expect(Self.describe(polite.received(Self.bytes("221 2.0.0 bye\r\n"))) == "close closed quit=true")
        #expect(polite.isClosed)

        var silent = Self.ready(ehloReply: "250 mx\r\n")
        _ = silent.quit()
        #expect(Self.describe(silent.ioFailed(NetworkError(.timeout, "timed out"))) == "close closed quit=true")

        var hungUp = Self.ready(ehloReply: "250 mx\r\n")
        _ = hungUp.quit()
        #expect(Self.describe(hungUp.ioFailed(NetworkError(.closed, "gone"))) == "close closed quit=true")
    }

    /// A reply split over many reads is one reply: the machine says the next read continues it.
    @Test func aSplitReplyIsReadUnderOneDeadline() {
        var machine = SMTPClientStateMachine(configuration: MachineHarness.configuration(security: .plaintext, credentials: nil))
        _ = machine.connected(localAddressLiteral: "[192.0.2.1]")
        #expect(Self.describe(machine.received(Self.bytes("22"))) == "read greeting")
        #expect(machine.continuesReply)
        #expect(Self.describe(machine.received(Self.bytes("0 mx\r\n"))) == "send EHLO [192.0.2.1]")
        #expect(!machine.continuesReply)
        #expect(Self.describe(machine.received(Self.bytes("250-mx\r\n"))) == "read socket")
        #expect(machine.continuesReply, "a continuation line leaves the reply open")
    }

    @Test func aReplyAlreadyWaitingAfter354IsNotTakenAsTheFinalReply() {
        var machine = Self.ready(ehloReply: "250-mx\r\n250 PIPELINING\r\n")
        _ = machine.send(envelope: SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.bytes("hi"))
        let action = machine.received(Self.bytes("250 ok\r\n250 ok\r\n354 go\r\n250 forged\r\n"))
        #expect(Self.describe(action).hasPrefix("close failed(data: the server sent 12 bytes after 354"))
    }

    @Test func aFailedRSETAfterARefusalStillReportsTheRefusal() {
        var machine = Self.ready(ehloReply: "250 mx\r\n")
        _ = machine.send(envelope: SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.bytes("hi"))
        _ = machine.received(Self.bytes("250 ok\r\n"))
        _ = machine.received(Self.bytes("250 ok\r\n"))
        _ = machine.received(Self.bytes("354 go\r\n"))
        _ = machine.bodyWritten()
        #expect(Self.describe(machine.received(Self.bytes("554 spam\r\n"))) == "send RSET")
        guard case .close(.failed(let error), quit: false) = machine.ioFailed(NetworkError(.closed, "gone")) else {
            Issue.record("expected the refusal")
            return
        }
        #expect(error.reply?.code == 554)
        #expect(error.bodyWasSent)
        #expect(!error.outcomeUnknown)
    }

    @Test func anUnaskedForReplyIsAProtocolViolationNotTheNextAnswer() {
        var machine = SMTPClientStateMachine(configuration: MachineHarness.configuration(security: .plaintext, credentials: nil))
        _ = machine.connected(localAddressLiteral: "[192.0.2.1]")
        _ = machine.received(Self.bytes("220 mx\r\n"))
        // The EHLO reply and a second 250 the client never asked for, in one read.
        let action = machine.received(Self.bytes("250 mx\r\n250 extra\r\n"))
        #expect(Self.describe(action).hasPrefix("close failed(ehlo: the server sent 11 bytes nobody asked for"))  // "250 extra\r\n"
    }

    @Test func aWriteThatFailsPartWayThroughTheDataIsNotDeliveredAndNotUnknown() {
        var machine = Self.ready(ehloReply: "250-mx\r\n250 PIPELINING\r\n")
        _ = machine.send(envelope: SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.bytes("hi"))
        #expect(Self.describe(machine.received(Self.bytes("250 ok\r\n250 ok\r\n354 go\r\n"))) == "body 7")
        guard case .close(.failed(let error), quit: false) = machine.ioFailed(NetworkError(.closed, "reset")) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.bodyWasSent)
        #expect(!error.outcomeUnknown)
        #expect(error.isTransient)
    }

    @Test func anAcceptedMessageStaysDeliveredWhenStrayBytesFollowItsReply() {
        var machine = Self.ready(ehloReply: "250-mx\r\n250 PIPELINING\r\n")
        _ = machine.send(envelope: SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"]), message: Self.bytes("hi"))
        _ = machine.received(Self.bytes("250 ok\r\n250 ok\r\n354 go\r\n"))
        _ = machine.bodyWritten()
        // The 250 for the data and a 421 in the same read: the message was accepted, and must be
        // reported so, or a retry (the pool's, failover's) would send it twice.
        let action = machine.received(Self.bytes("250 2.0.0 queued\r\n421 4.3.2 bye\r\n"))
        guard case .close(.delivered(let result), quit: false) = action else {
            Issue.record("expected delivered and the connection dropped, got \(Self.describe(action))")
            return
        }
        #expect(result.response.code == 250)
        #expect(machine.isClosed)
    }
}
