import Testing
@testable import SMTP
import SMTPWire

/// Every step of a session × every way a server can fail it, on the state machine alone.
@Suite struct FaultMatrixTests {
    static let cases: [(MachineHarness.Step, MachineHarness.Fault)] =
        MachineHarness.Step.allCases.flatMap { step in MachineHarness.Fault.allCases.map { (step, $0) } }

    @Test(arguments: cases)
    func eachFaultAtEachStepEndsAsItShould(_ step: MachineHarness.Step, _ fault: MachineHarness.Fault) throws {
        var harness = MachineHarness()
        harness.fault = (step, fault)
        var machine = SMTPClientStateMachine(configuration: MachineHarness.configuration())
        let (outcome, quit) = harness.run(&machine)
        guard case .failed(let error) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(harness.bodiesWritten <= 1)
        #expect(!harness.acceptedAfterBody)
        if step == .ehlo, fault == .reply554 {
            // RFC 5321 §3.2: a server that refuses EHLO permanently gets HELO, which has no STARTTLS to offer.
            #expect(harness.commands.contains { $0.hasPrefix("HELO") })
            #expect(error.phase == .tls)
            #expect(error.message.contains("does not offer STARTTLS"))
            return
        }
        let afterBody = step == .body
        switch fault {
        case .hangUp, .stall, .garbage, .overLongLine:
            // The session is out of step: dropped at once, and after the data the outcome is unknown.
            #expect(quit == false)
            #expect(machine.isClosed)
            #expect(error.reply == nil)
            #expect(error.outcomeUnknown == afterBody)
            #expect(error.isTransient == !afterBody)
            #expect(error.kind == (fault == .stall ? .timeout : fault == .hangUp ? .connectionClosed : .protocolViolation))
        case .reply421:
            #expect(quit == false)
            #expect(error.reply?.code == 421)
            #expect(error.isTransient)
            #expect(!error.outcomeUnknown)
            #expect(error.bodyWasSent == afterBody)
        case .reply451, .reply554:
            let code = fault == .reply451 ? 451 : 554
            #expect(error.reply?.code == code)
            #expect(error.isTransient == (code == 451))
            #expect(error.isPermanent == (code == 554))
            #expect(!error.outcomeUnknown)
            #expect(error.bodyWasSent == afterBody)
            // A refused transaction is reset and the connection stays usable; a refused opening ends with QUIT.
            if [.mail, .rcpt, .data, .body].contains(step) {
                #expect(machine.isReady)
                #expect(harness.commands.last == "RSET")
            } else {
                #expect(quit == true)
            }
        }
        #expect(error.phase == Self.phase(step))
    }

    static func phase(_ step: MachineHarness.Step) -> SMTPPhase {
        switch step {
        case .greeting: .greeting
        case .ehlo: .ehlo
        case .starttls: .tls
        case .auth: .auth
        case .mail: .mail
        case .rcpt: .rcpt
        case .data, .body: .data
        }
    }

    @Test(arguments: [true, false])
    func repliesSplitIntoSingleBytesOrJoinedInOneReadDeliver(_ byteByByte: Bool) {
        var harness = MachineHarness()
        harness.delivery = byteByByte ? .byteByByte : .whole
        var machine = SMTPClientStateMachine(configuration: MachineHarness.configuration())
        let (outcome, _) = harness.run(&machine, recipients: ["a@example.org", "b@example.org", "c@example.org"])
        guard case .delivered(let result) = outcome else {
            Issue.record("expected delivery, got \(outcome)")
            return
        }
        #expect(result.accepted == ["a@example.org", "b@example.org", "c@example.org"])
        #expect(harness.bodiesWritten == 1)
        #expect(machine.isReady)
        #expect(machine.messagesDelivered == 1)
    }

    @Test func withoutPipeliningEachCommandWaitsForItsReply() {
        var harness = MachineHarness()
        harness.extensions.removeAll { $0 == "PIPELINING" }
        var machine = SMTPClientStateMachine(configuration: MachineHarness.configuration())
        let (outcome, _) = harness.run(&machine, recipients: ["a@example.org", "b@example.org"])
        guard case .delivered = outcome else {
            Issue.record("expected delivery, got \(outcome)")
            return
        }
        #expect(harness.commands.suffix(4).map { String($0.prefix(4)) } == ["MAIL", "RCPT", "RCPT", "DATA"])
    }
}
