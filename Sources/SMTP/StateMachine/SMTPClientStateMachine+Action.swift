import SMTPWire

/// What the machine asks of its driver, and what an operation came to.
extension SMTPClientStateMachine {
    /// How long the driver may wait for what an action asks.
    public enum Timeout: Sendable, Equatable {
        /// `connectionTimeout`: the TCP connection and an implicit-TLS handshake.
        case connection
        /// `greetingTimeout`: the server's 220.
        case greeting
        /// `socketTimeout`: every later read, the STARTTLS handshake, and (as an inactivity timeout)
        /// every write, the message body included.
        case socket
        /// The answer to QUIT: `socketTimeout`, but at most 5 s (the work is done; a server that
        /// does not answer QUIT is not worth waiting for).
        case quit
    }

    /// What the driver does next.
    public enum Action: Sendable {
        /// Write these commands in one write, then read until ``received(_:)`` has a whole reply
        /// (each awaited reply under one deadline; see ``continuesReply``).
        case send([SMTPCommand])
        /// Read more bytes and pass them to ``received(_:)``.
        case read(Timeout)
        /// Run the TLS handshake, then call ``tlsEstablished(version:)``.
        case startTLS(Timeout)
        /// Write the message data (dot-stuffed, terminator included), then call ``bodyWritten()``.
        case sendBody([UInt8])
        /// Done; the connection is open and ready for the next message.
        case finish(Outcome)
        /// Done; close the connection now. `quit` tells whether QUIT was sent first (the machine
        /// sends it itself when the session is in sync); false after a network failure, a
        /// timeout, a 421 or a protocol violation, when the connection is dropped at once.
        case close(Outcome, quit: Bool)
    }

    /// What an operation came to.
    public enum Outcome: Sendable {
        /// The connection is open, greeted, secured and authenticated as configured.
        case opened
        /// The message was accepted (a 2xx after its data).
        case delivered(SMTPSendResult)
        /// The sender was accepted (doctor's check; nothing was sent).
        case senderAccepted(SMTPReply)
        /// The connection answered NOOP: it can be reused.
        case alive
        /// QUIT was asked for.
        case closed
        /// The operation failed.
        case failed(SMTPError)
    }
}

extension SMTPClientStateMachine.Outcome {
    /// Whether this is the known end of a message transaction: delivered, or refused cleanly.
    var endsTransaction: Bool {
        switch self {
        case .delivered, .failed: true
        case .opened, .senderAccepted, .alive, .closed: false
        }
    }
}
