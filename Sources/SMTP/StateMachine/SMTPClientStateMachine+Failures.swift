import NetworkIO
import SMTPWire

/// What a failure below SMTP means in the phase it happened in.
extension SMTPClientStateMachine {
    /// The error for an I/O failure in the current state. From the first byte of the message data
    /// on, a lost connection means the outcome is unknown: the server may have queued the message.
    func classify(_ failure: NetworkError) -> SMTPError {
        var error: SMTPError
        switch failure.kind {
        case .cancelled:
            error = SMTPError(.cancelled, phase: phase, "the send was cancelled")
        case .timeout, .resolveTimeout:
            error = timeoutError()
        case .certificate:
            let name = configuration.tls.nameToVerify(host: configuration.host)
            error = SMTPError(.certificate, phase: .tls, failure.message,
                              hint: "The certificate must be valid for \"\(name)\" and chain to a trusted CA. For a private CA, set tls.ca to its PEM (text or file path); set tls.servername if you connect by IP address. Turning off tls.rejectUnauthorized exposes the password.")
        case .tls:
            error = SMTPError(.tls, phase: .tls, failure.message)
            if case .implicitHandshake = state {
                // OpenSSL reads a plaintext "220 ..." greeting as a TLS record of a wrong version.
                let plaintext = ["wrong version number", "packet length too long", "record layer failure", "unexpected eof"]
                    .contains { failure.message.lowercased().contains($0) }
                error.message += plaintext ? " (the server answered in plain text)" : ""
                error.hint = plaintext
                    ? "Port \(configuration.port) expects STARTTLS or plain SMTP, not implicit TLS: set secure to false (and keep requireTLS true)."
                    : "Port \(configuration.port) may not speak implicit TLS: use secure: false (STARTTLS) for ports 25 and 587, secure: true for 465."
            }
        case .closed where !isImplicitHandshake:
            // A hang-up is not a protocol violation: the pool may retry a message that met one on
            // a reused connection before any of its data went out (the server had dropped it idle).
            error = SMTPError(.connectionClosed, phase: phase, failure.message)
        case .closed, .io, .resolve, .connect:
            if isImplicitHandshake {
                error = SMTPError(.tls, phase: .tls, "TLS handshake failed: \(failure.message)",
                                  hint: "Port \(configuration.port) may not speak implicit TLS: use secure: false (STARTTLS) for ports 25 and 587, secure: true for 465.")
            } else {
                error = SMTPError(.protocolViolation, phase: phase, failure.message)
            }
        }
        return afterBody(error)
    }

    private var isImplicitHandshake: Bool {
        if case .implicitHandshake = state { return true }
        return false
    }

    /// A reply that cannot be decoded: the session is out of sync and ends at once.
    mutating func protocolViolation(_ message: String) -> Action {
        drop(afterBody(SMTPError(.protocolViolation, phase: phase, message)))
    }

    /// Marks a failure once the message data started. While it is being written, the server cannot
    /// have its terminating "." yet, so it cannot have accepted the message: not delivered, though
    /// part of the data went out. Once it is all written, and until the reply, the outcome is unknown.
    func afterBody(_ error: SMTPError) -> SMTPError {
        var error = error
        switch state {
        case .writingData:
            error.bodyWasSent = true
            error.message += "; the message data was not all written, so the server cannot have accepted it"
        case .awaitingDataReply where error.reply == nil:
            error.outcomeUnknown = true
            error.bodyWasSent = true
            error.message += "; the message may or may not have been accepted, so it is not retried automatically"
        default:
            break
        }
        return error
    }

    private func timeoutError() -> SMTPError {
        let name: String, seconds: Double
        switch state {
        case .implicitHandshake: (name, seconds) = ("connectionTimeout", configuration.timeouts.connection)
        case .greeting: (name, seconds) = ("greetingTimeout", configuration.timeouts.greeting)
        default: (name, seconds) = ("socketTimeout", configuration.timeouts.socket)
        }
        let text = seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)
        let hint = phase == .greeting
            ? "Check host and port: the server accepted the connection but did not greet. A port that expects implicit TLS (465) needs secure: true."
            : "Check that the host and port are right and reachable, or raise \(name)."
        return SMTPError(.timeout, phase: phase, "no answer within \(name) (\(text) s)", hint: hint)
    }
}
