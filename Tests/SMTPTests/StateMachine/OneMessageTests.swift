import NetworkIO
import Testing
@testable import SMTP
import SMTPWire

/// A connection for one message: AUTH PLAIN shares a group with the transaction (RFC 4954 §4), QUIT
/// follows the data (RFC 2920 §3.1), a refusal ends with QUIT instead of RSET. Exact actions, then
/// every fault at every step.
@Suite struct OneMessageTests {
    typealias Machine = SMTPClientStateMachine
    static let describe = SMTPClientStateMachineTests.describe
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    static let message = OneMessageTests.bytes("Subject: t\r\n\r\nhi\r\n")
    static let envelope = SMTPEnvelope(from: "a@x.test", recipients: ["b@y.test"])

    /// A one-message machine over STARTTLS with PLAIN, past the EHLO after TLS (`ehlo`); returns
    /// the action that EHLO reply led to.
    static func afterSecondEHLO(_ ehlo: String, mechanism: SASLMechanism = .plain) -> (Machine, String) {
        var configuration = MachineHarness.configuration()
        configuration.mechanism = mechanism
        var machine = Machine(configuration: configuration, hostName: "client.example",
                              oneMessage: .init(envelope: envelope, message: message))
        _ = machine.connected(localAddressLiteral: nil)
        _ = machine.received(bytes("220 mx\r\n"))
        _ = machine.received(bytes("250-mx\r\n250 STARTTLS\r\n"))
        _ = machine.received(bytes("220 go\r\n"))
        _ = machine.tlsEstablished(version: "TLSv1.3")
        let action = machine.received(bytes(ehlo))
        return (machine, describe(action))
    }

    @Test func authPlainTheEnvelopeAndDataGoInOneWriteAndQuitFollowsTheData() {
        var (machine, action) = Self.afterSecondEHLO("250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n")
        #expect(action == "send AUTH PLAIN <redacted> | MAIL FROM:<a@x.test> | RCPT TO:<b@y.test> | DATA")
        // All four answers in one read: the data (18 octets + ".\r\n"), then QUIT before any read.
        #expect(Self.describe(machine.received(Self.bytes("235 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"))) == "body 21")
        #expect(machine.authenticatedWith == .plain)
        #expect(machine.sessionOpened)
        #expect(Self.describe(machine.bodyWritten()) == "send QUIT")
        // The final reply alone: QUIT's answer is awaited under QUIT's short timeout.
        #expect(Self.describe(machine.received(Self.bytes("250 queued\r\n"))) == "read quit")
        guard case .close(.delivered(let result), quit: true) = machine.received(Self.bytes("221 bye\r\n")) else {
            Issue.record("not delivered and closed")
            return
        }
        #expect(result.response.code == 250)
        #expect(machine.isClosed)
    }

    @Test func theFinalReplyAndQuitsAnswerTogetherEndTheConnection() {
        var (machine, _) = Self.afterSecondEHLO("250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n")
        _ = machine.received(Self.bytes("235 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"))
        _ = machine.bodyWritten()
        #expect(Self.describe(machine.received(Self.bytes("250 queued\r\n221 bye\r\n"))) == "close delivered quit=true")
        // A hang-up instead of QUIT's answer changes nothing: the message was accepted.
        var (other, _) = Self.afterSecondEHLO("250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n")
        _ = other.received(Self.bytes("235 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"))
        _ = other.bodyWritten()
        _ = other.received(Self.bytes("250 queued\r\n"))
        #expect(Self.describe(other.ioFailed(.init(.closed, "closed"))) == "close delivered quit=true")
    }

    @Test func aRefusedAuthWithTheTransactionInFlightClosesWithoutQuit() {
        var (machine, _) = Self.afterSecondEHLO("250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n")
        // The server may have said 354 to DATA: QUIT would be message data, so the connection is dropped.
        let action = machine.received(Self.bytes("535 5.7.8 bad credentials\r\n530 auth first\r\n"))
        #expect(Self.describe(action) == "close failed(auth: authentication with PLAIN failed) quit=false")
        guard case .close(.failed(let error), _) = action else { return }
        #expect(error.kind == .authentication)
        #expect(error.reply?.code == 535)
        #expect(!error.bodyWasSent)
    }

    @Test func mechanismsThatMayNeedAnotherStepAreNotPipelined() {
        let (_, login) = Self.afterSecondEHLO("250-mx\r\n250-PIPELINING\r\n250 AUTH LOGIN\r\n", mechanism: .login)
        #expect(login == "send AUTH LOGIN")
        // Without PIPELINING nothing is: AUTH alone, and the transaction after its 235.
        var (machine, plain) = Self.afterSecondEHLO("250-mx\r\n250 AUTH PLAIN\r\n")
        #expect(plain == "send AUTH PLAIN <redacted>")
        #expect(Self.describe(machine.received(Self.bytes("235 ok\r\n"))) == "send MAIL FROM:<a@x.test>")
    }

    @Test func aRefusedRecipientEndsWithQuitNotRset() {
        var (machine, _) = Self.afterSecondEHLO("250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n")
        #expect(Self.describe(machine.received(Self.bytes("235 ok\r\n250 ok\r\n550 no such user\r\n554 no valid recipients\r\n")))
                == "send QUIT")
        #expect(Self.describe(machine.received(Self.bytes("221 bye\r\n"))).hasPrefix("close failed(rcpt: the server refused every recipient"))
    }

    @Test func aRefusedMessageWithQuitBehindItIsReportedAfterQuitsAnswer() {
        var (machine, _) = Self.afterSecondEHLO("250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n")
        _ = machine.received(Self.bytes("235 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"))
        _ = machine.bodyWritten()
        guard case .close(.failed(let error), quit: true) = machine.received(Self.bytes("554 5.7.1 spam\r\n221 bye\r\n")) else {
            Issue.record("not a refusal")
            return
        }
        #expect(error.reply?.code == 554)
        #expect(error.bodyWasSent)
        #expect(!error.outcomeUnknown)
    }

    /// Once the data's terminator is written, a failure writing QUIT or waiting for the final reply
    /// leaves the outcome unknown: the server may have queued the message.
    @Test(arguments: [NetworkError.Kind.closed, .timeout])
    func aFailureAfterTheDataLeavesTheOutcomeUnknown(_ kind: NetworkError.Kind) {
        var (machine, _) = Self.afterSecondEHLO("250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n")
        _ = machine.received(Self.bytes("235 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"))
        _ = machine.bodyWritten()  // QUIT's write fails, or the reply never comes: the same state
        guard case .close(.failed(let error), quit: false) = machine.ioFailed(.init(kind, "failed")) else {
            Issue.record("not a failure")
            return
        }
        #expect(error.outcomeUnknown)
        #expect(error.bodyWasSent)
    }

    @Test func strayBytesBeforeAQuitThatWasNotSentCloseWithoutClaimingIt() {
        var (machine, _) = Self.afterSecondEHLO("250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n")
        // Every recipient refused, then bytes nobody asked for: QUIT would follow, but is not sent.
        let action = machine.received(Self.bytes("235 ok\r\n250 ok\r\n550 no\r\n554 none\r\n250 extra\r\n"))
        #expect(Self.describe(action).hasPrefix("close failed(rcpt: the server refused every recipient"))
        #expect(Self.describe(action).hasSuffix("quit=false"))
    }

    @Test func theWholeSessionTakesFiveFlightsOverStartTLSWithAuth() {
        var harness = MachineHarness()
        let (machine, outcome, quit) = harness.runOneMessage(configuration: MachineHarness.configuration())
        guard case .delivered = outcome else {
            Issue.record("not delivered: \(outcome)")
            return
        }
        #expect(quit == true)
        #expect(machine.isClosed)
        #expect(harness.commands.map { $0.split(separator: " ").first.map(String.init) ?? $0 }
                == ["EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"])
        // EHLO, STARTTLS, EHLO, AUTH+MAIL+RCPT+DATA, data+QUIT (a pool's connection needs seven).
        #expect(harness.flights == 5)
    }

    @Test(arguments: FaultMatrixTests.cases)
    func eachFaultAtEachStepOfAOneMessageSession(_ step: MachineHarness.Step, _ fault: MachineHarness.Fault) {
        var harness = MachineHarness()
        harness.fault = (step, fault)
        let (machine, outcome, _) = harness.runOneMessage(configuration: MachineHarness.configuration())
        guard case .failed(let error) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(machine.isClosed)
        #expect(harness.bodiesWritten <= 1)
        #expect(!harness.acceptedAfterBody)
        #expect(!harness.commands.contains("RSET"))
        let dropped = [.hangUp, .stall, .garbage, .overLongLine].contains(fault)
        #expect(error.outcomeUnknown == (dropped && step == .body))
        // (A refused EHLO gets HELO, which offers no STARTTLS: that failure has no reply.)
        if fault == .reply451 || (fault == .reply554 && step != .ehlo) {
            #expect(error.reply?.code == (fault == .reply451 ? 451 : 554))
        }
    }
}
