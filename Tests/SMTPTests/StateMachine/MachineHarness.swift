import Foundation
import NetworkIO
@testable import SMTP
import SMTPWire

/// Drives an ``SMTPClientStateMachine`` against a simulated server, with no socket: the whole fault
/// matrix runs in microseconds and deterministically.
struct MachineHarness {
    /// Where in the session a fault strikes: the reply to that step.
    enum Step: String, CaseIterable, Sendable {
        case greeting, ehlo, starttls, auth, mail, rcpt, data, body
    }

    /// What the server does instead of its normal reply.
    enum Fault: String, CaseIterable, Sendable {
        case hangUp, reply421, reply451, reply554, stall, garbage, overLongLine
    }

    /// How the server's bytes reach the client.
    enum Delivery: Sendable { case whole, byteByByte }

    var extensions = ["PIPELINING", "8BITMIME", "SIZE 1000000", "STARTTLS", "AUTH PLAIN LOGIN"]
    var fault: (step: Step, fault: Fault)?
    var delivery = Delivery.whole
    /// Every command line the client wrote, in order.
    private(set) var commands: [String] = []
    /// How many times the message data was written.
    private(set) var bodiesWritten = 0
    /// Whether the final reply after the data was positive.
    private(set) var acceptedAfterBody = false
    /// How many flights the client sent: writes with no read between them are one flight (a
    /// pipelined group, or the data and the QUIT behind it); each is one round trip.
    private(set) var flights = 0
    private var readSinceWrite = true
    private var output: [UInt8] = []
    private var failure: NetworkError?
    private var secured = false

    static func configuration(security: SMTPClientConfiguration.Security = .startTLSRequired,
                              credentials: SMTPCredentials? = SMTPCredentials(user: "u", password: "p")) -> SMTPClientConfiguration {
        var configuration = SMTPClientConfiguration(host: "mail.example.test", port: 587, security: security)
        configuration.credentials = credentials
        configuration.mechanism = credentials == nil ? nil : .plain
        configuration.timeouts = .init(connection: 10, greeting: 10, socket: 10)
        return configuration
    }

    /// Opens the session and sends one message; returns how it ended and whether QUIT was asked for.
    mutating func run(_ machine: inout SMTPClientStateMachine, recipients: [String] = ["a@example.org"],
                      message: [UInt8] = Array("Subject: t\r\n\r\nhello\r\n".utf8)) -> (SMTPClientStateMachine.Outcome, quit: Bool?) {
        let opened = drive(&machine, machine.connected(localAddressLiteral: "[192.0.2.1]"), step: .greeting)
        guard case .finish(.opened) = opened.action else { return (opened.outcome, opened.quit) }
        let sent = drive(&machine, machine.send(envelope: SMTPEnvelope(from: "app@example.test", recipients: recipients), message: message),
                         step: nil)
        return (sent.outcome, sent.quit)
    }

    /// Opens a one-message session (``SMTPClientStateMachine/OneMessage``) and follows it to its end;
    /// a `.finish` (no PIPELINING: the driver sends QUIT then) is followed by QUIT here.
    mutating func runOneMessage(configuration: SMTPClientConfiguration, recipients: [String] = ["a@example.org"],
                                message: [UInt8] = Array("Subject: t\r\n\r\nhello\r\n".utf8))
        -> (machine: SMTPClientStateMachine, outcome: SMTPClientStateMachine.Outcome, quit: Bool?) {
        let oneMessage = SMTPClientStateMachine.OneMessage(envelope: SMTPEnvelope(from: "app@example.test", recipients: recipients),
                                                          message: message)
        var machine = SMTPClientStateMachine(configuration: configuration, oneMessage: oneMessage)
        let ended = drive(&machine, machine.connected(localAddressLiteral: "[192.0.2.1]"), step: .greeting)
        guard case .finish = ended.action, machine.isReady else { return (machine, ended.outcome, ended.quit) }
        _ = drive(&machine, machine.quit(), step: nil)
        return (machine, ended.outcome, true)
    }

    /// Follows the machine's actions until it finishes or closes.
    mutating func drive(_ machine: inout SMTPClientStateMachine, _ first: SMTPClientStateMachine.Action, step: Step?)
        -> (action: SMTPClientStateMachine.Action, outcome: SMTPClientStateMachine.Outcome, quit: Bool?) {
        if step == .greeting { respond(.greeting, SMTPReply(220, nil, "mail.example.test ESMTP")) }
        var action = first
        for _ in 0..<10_000 {
            switch action {
            case .send(let sent):
                countFlight()
                for command in sent { receive(command) }
                action = read(&machine)
            case .read:
                action = read(&machine)
            case .startTLS:
                secured = true
                output = []  // the handshake consumes the stream; nothing sent before it survives
                action = machine.tlsEstablished(version: "TLSv1.3")
            case .sendBody(let bytes):
                countFlight()
                if bytes == Array(".\r\n".utf8) {
                    respond(nil, SMTPReply(554, "5.5.1", "no valid recipients"))  // an empty DATA ending a refused transaction
                } else {
                    bodiesWritten += 1
                    respond(.body, SMTPReply(250, "2.0.0", "queued"))
                }
                action = machine.bodyWritten()
            case .finish(let outcome):
                return (action, outcome, nil)
            case .close(let outcome, let quit):
                return (action, outcome, quit)
            }
        }
        fatalError("the machine did not finish after 10,000 actions")
    }

    private mutating func countFlight() {
        if readSinceWrite { flights += 1 }
        readSinceWrite = false
    }

    private mutating func read(_ machine: inout SMTPClientStateMachine) -> SMTPClientStateMachine.Action {
        readSinceWrite = true
        if output.isEmpty, let failure { return machine.ioFailed(failure) }
        guard !output.isEmpty else { return machine.ioFailed(NetworkError(.timeout, "timed out")) }
        let count = delivery == .byteByByte ? 1 : output.count
        let chunk = Array(output.prefix(count))
        output.removeFirst(count)
        return machine.received(chunk)
    }

    /// The server's answer to one command line.
    private mutating func receive(_ command: SMTPCommand) {
        let line = String(command.line.dropLast())
        commands.append(line)
        switch command {
        case .ehlo:
            respond(.ehlo, SMTPReply(code: 250, lines: ["mail.example.test"] + extensions.filter { !secured || $0 != "STARTTLS" }))
        case .helo: respond(nil, SMTPReply(250, nil, "hello"))
        case .startTLS: respond(.starttls, SMTPReply(220, "2.0.0", "go ahead"))
        case .auth, .authResponse: respond(.auth, SMTPReply(235, "2.7.0", "ok"))
        case .mailFrom: respond(.mail, SMTPReply(250, "2.1.0", "ok"))
        case .rcptTo: respond(.rcpt, SMTPReply(250, "2.1.5", "ok"))
        case .data: respond(.data, SMTPReply(354, nil, "go"))
        case .rset, .noop: respond(nil, SMTPReply(250, "2.0.0", "ok"))
        case .quit: respond(nil, SMTPReply(221, "2.0.0", "bye"))
        }
    }

    private mutating func respond(_ step: Step?, _ normal: SMTPReply) {
        guard failure == nil else { return }
        guard let step, let fault, fault.step == step else {
            if step == .body { acceptedAfterBody = true }
            output += Array(normal.wireText.utf8)
            return
        }
        self.fault = nil  // strikes once
        switch fault.fault {
        case .hangUp: failure = NetworkError(.closed, "the server closed the connection without a reply")
        case .stall: failure = NetworkError(.timeout, "timed out")
        case .reply421: output += Array(SMTPReply(421, "4.3.2", "shutting down").wireText.utf8)
        case .reply451: output += Array(SMTPReply(451, "4.3.0", "try later").wireText.utf8)
        case .reply554: output += Array(SMTPReply(554, "5.7.1", "no").wireText.utf8)
        case .garbage: output += Array("HTTP/1.1 400 Bad Request\r\n".utf8)
        case .overLongLine: output += Array(repeating: UInt8(ascii: "a"), count: ReplyDecoder.maxLineLength + 10)
        }
    }
}
