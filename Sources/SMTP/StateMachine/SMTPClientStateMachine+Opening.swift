import SMTPWire

/// Greeting, EHLO (HELO fallback) and STARTTLS: RFC 5321 §3.1-3.2 and RFC 3207.
extension SMTPClientStateMachine {
    mutating func greetingReceived(_ reply: SMTPReply) -> Action {
        greetingReply = reply
        guard reply.code == 220 else {
            return failQuitting(SMTPError(.rejected, phase: .greeting, "the server did not greet with 220", reply: reply,
                                          hint: reply.isTransient ? "The server is busy or refusing connections; try again later." : nil))
        }
        return sendEHLO()
    }

    /// EHLO with the configured name, else the host name, else the address literal (RFC 5321 §4.1.4).
    mutating func sendEHLO() -> Action {
        let name = configuration.clientName ?? hostName ?? fallbackName ?? "[127.0.0.1]"
        state = .ehlo(name: name)
        phase = .ehlo
        return sendCommands([.ehlo(name)])
    }

    mutating func ehloReceived(_ reply: SMTPReply, name: String) -> Action {
        if reply.isPositive {
            extensions = ServerExtensions(ehloReply: reply)
            return afterHello()
        }
        // A server that does not know EHLO answers 5xx; RFC 5321 §3.2 falls back to HELO.
        guard reply.code >= 500 else {
            return failQuitting(SMTPError(.rejected, phase: .ehlo, "the server refused EHLO", reply: reply))
        }
        state = .helo
        return sendCommands([.helo(name)])
    }

    mutating func heloReceived(_ reply: SMTPReply) -> Action {
        guard reply.isPositive else {
            return failQuitting(SMTPError(.rejected, phase: .ehlo, "the server refused both EHLO and HELO", reply: reply,
                                          hint: "Set `name` to this machine's fully qualified domain name."))
        }
        extensions = ServerExtensions()
        return afterHello()
    }

    /// After EHLO: STARTTLS when the configuration and the server call for it, else AUTH.
    private mutating func afterHello() -> Action {
        guard tlsVersion == nil else { return beginAuthentication() }
        switch configuration.security {
        case .implicitTLS, .plaintext:
            return beginAuthentication()
        case .startTLSOpportunistic where !extensions.startTLS:
            note("the server does not offer STARTTLS; continuing without TLS")
            return beginAuthentication()
        case .startTLSRequired where !extensions.startTLS:
            phase = .tls
            return failQuitting(SMTPError(.tls, phase: .tls, "the server does not offer STARTTLS and requireTLS is set",
                                          hint: "Use secure: true with port 465 if the server supports implicit TLS; never turn off requireTLS to work around this, as it would send your password in clear text."))
        case .startTLSOpportunistic, .startTLSRequired:
            state = .startTLSCommand
            phase = .tls
            return sendCommands([.startTLS])
        }
    }

    mutating func startTLSReceived(_ reply: SMTPReply) -> Action {
        guard reply.code == 220 else {
            return failQuitting(SMTPError(.tls, phase: .tls, "the server refused STARTTLS", reply: reply))
        }
        // RFC 3207 §4.2: bytes that came after the 220 but before the handshake were not protected
        // by TLS (a man in the middle may have injected them). Drop them and every capability.
        if decoder.bufferedByteCount > 0 {
            note("discarding \(decoder.bufferedByteCount) bytes received before the TLS handshake")
        }
        decoder.reset()
        extensions = ServerExtensions()
        state = .startTLSHandshake
        return .startTLS(.socket)
    }

    /// A refusal that leaves the session in sync: report it and end with QUIT.
    mutating func failQuitting(_ error: SMTPError) -> Action {
        beginQuit(then: .failed(error))
    }

    /// The connection is open: its one message goes now, or it waits for one.
    mutating func opened() -> Action {
        state = .ready
        sessionOpened = true
        if let message = oneMessage {
            oneMessage = nil
            return startTransaction(envelope: message.envelope, message: message.message)
        }
        return .finish(.opened)
    }
}
