import NetworkIO
import SMTP
import SMTPWire

/// The client state machine driven by a fake driver whose server says anything.
///
/// Input: one byte of configuration (security mode, credentials, plaintext AUTH allowed, NOOP
/// between sends), then the bytes of each read the server answers with, separated by 0xFF. When the
/// reads run out, the connection is reported closed. The driver sends up to three messages.
///
/// Checked: the machine ends (every step either consumes a read or moves on; it never spins); no
/// command it writes holds CR, LF or NUL; AUTH never goes over plaintext unless allowed, and with TLS
/// required (or implicit) neither AUTH nor MAIL goes before the handshake; EHLO is the first command
/// after STARTTLS (RFC 3207 §4.2); a message's body is written at most once per send; a delivery
/// follows a body; a failure after the body says the body was sent, and one caused by the connection
/// dropping after the body, before any reply to it, says the outcome is unknown (so nothing retries
/// it into a duplicate).
enum ClientStateMachineTarget {
    static let message = Array("From: a@example.com\r\nTo: b@example.com\r\nSubject: fuzz\r\n\r\nline\r\n.dot\r\n".utf8)

    static func check(_ data: [UInt8]) throws {
        guard let flags = data.first else { return }
        var reads = FuzzBytes.fields(data.dropFirst())[...]
        let security: SMTPClientConfiguration.Security =
            [.implicitTLS, .startTLSRequired, .startTLSOpportunistic, .plaintext][Int(flags & 3)]
        var configuration = SMTPClientConfiguration(host: "mail.example.com", port: 587, security: security)
        if flags & 4 != 0 { configuration.credentials = SMTPCredentials(user: "user", password: "secret") }
        configuration.allowsPlaintextAuthentication = flags & 8 != 0
        let checksAlive = flags & 16 != 0
        let tlsRequired = security == .implicitTLS || security == .startTLSRequired

        var machine = SMTPClientStateMachine(configuration: configuration, hostName: "client.example.com")
        var action = machine.connected(localAddressLiteral: "[127.0.0.1]")
        var tls = false
        var expectEHLO = false
        var sendsLeft = 3
        var bodiesInSend = 0
        var bodyPending = false  // written, final reply not yet known
        var lastInputWasIOFailure = false
        var steps = 0

        func nextRead() -> SMTPClientStateMachine.Action {
            if let bytes = reads.popFirst() {
                lastInputWasIOFailure = false
                return machine.received(bytes)
            }
            lastInputWasIOFailure = true
            return machine.ioFailed(NetworkError(.closed, "the server closed the connection"))
        }

        func checkFailure(_ outcome: SMTPClientStateMachine.Outcome) throws {
            guard case .failed(let error) = outcome else { return }
            if bodiesInSend > 0 {
                try require(error.bodyWasSent, "a failure after the body does not say the body was sent: \(error)")
            }
            if bodyPending && lastInputWasIOFailure && error.reply == nil {
                try require(error.outcomeUnknown, "the connection dropped after the body, yet the outcome is known: \(error)")
            }
        }

        while true {
            steps += 1
            try require(steps <= 4 * data.count + 64, "the machine took \(steps) steps on \(data.count) bytes")
            switch action {
            case .send(let commands):
                try require(!commands.isEmpty, "asked to send no commands")
                for command in commands {
                    _ = command.line  // traps on CR, LF or NUL
                    if expectEHLO {
                        guard case .ehlo = command else { throw InvariantViolation(message: "\(command) before EHLO after STARTTLS") }
                        expectEHLO = false
                    }
                    switch command {
                    case .auth:
                        try require(tls || configuration.allowsPlaintextAuthentication, "AUTH over plaintext")
                        try require(tls || !tlsRequired, "AUTH before TLS with TLS required")
                    case .mailFrom:
                        try require(tls || !tlsRequired, "MAIL before TLS with TLS required")
                    default:
                        break
                    }
                }
                action = nextRead()
            case .read:
                action = nextRead()
            case .startTLS:
                tls = true
                expectEHLO = security != .implicitTLS
                lastInputWasIOFailure = false
                action = machine.tlsEstablished(version: "TLSv1.3")
            case .sendBody(let body) where body.elementsEqual(".\r\n".utf8):
                // RFC 2920 §3.1: every recipient was refused yet DATA got its 354; the data is
                // ended at once, and no part of the message is sent.
                lastInputWasIOFailure = false
                action = machine.bodyWritten()
            case .sendBody(let body):
                bodiesInSend += 1
                try require(bodiesInSend == 1, "the body of one message was written \(bodiesInSend) times")
                try require(body.count >= 5 && body.suffix(5).elementsEqual("\r\n.\r\n".utf8), "a body without its terminator")
                bodyPending = true
                lastInputWasIOFailure = false
                action = machine.bodyWritten()
            case .finish(let outcome):
                try checkFailure(outcome)
                if case .delivered = outcome { try require(bodiesInSend == 1, "delivered without a body") }
                bodyPending = false
                bodiesInSend = 0
                try require(machine.isReady, "finished (\(outcome)) but not ready")
                if checksAlive, case .delivered = outcome {
                    action = machine.checkAlive()
                } else if sendsLeft > 0 {
                    sendsLeft -= 1
                    action = machine.send(envelope: SMTPEnvelope(from: "a@example.com", recipients: ["b@example.com"]),
                                          message: message)
                } else {
                    action = machine.quit()
                }
            case .close(let outcome, _):
                try checkFailure(outcome)
                if case .delivered = outcome { try require(bodiesInSend == 1, "delivered without a body") }
                try require(machine.isClosed, "closed (\(outcome)) but the machine is not")
                return
            }
        }
    }
}
