import NetworkIO
import SMTPWire

/// The client side of one SMTP connection as a pure state machine: events in, actions out, no I/O.
///
/// Every protocol decision lives here: the greeting, EHLO and its HELO fallback, STARTTLS and the
/// discarding of bytes read before the handshake, the choice of AUTH mechanism and the SASL exchange,
/// pipelining and the queue of replies it still expects (RFC 2920), RSET after a refused
/// transaction, and how a failure is classed (transient, permanent, outcome unknown) and whether the
/// connection ends with QUIT or is dropped. A driver (``SMTPConnection``) performs the actions over a
/// socket and reports back; it decides nothing.
///
/// The life of a connection: ``connected(localAddressLiteral:)``, then ``received(_:)``,
/// ``tlsEstablished(version:)`` and ``bodyWritten()`` as the actions ask, until a `.finish` (the
/// connection is ready for ``send(envelope:message:)``) or a `.close` (it is over). An I/O failure
/// or a timeout at any point goes to ``ioFailed(_:)`` as the stream's `NetworkError` (a value: the
/// machine itself touches no socket).
public struct SMTPClientStateMachine: Sendable {
    enum State: Sendable {
        case awaitingConnection
        case implicitHandshake
        case greeting
        case ehlo(name: String)
        case helo
        case startTLSCommand
        case startTLSHandshake
        /// AUTH was sent; `pipelined` is the transaction sent in the same group (RFC 4954 §4).
        case authenticating(SASLClient, pipelined: Transaction?)
        case ready
        case transaction(Transaction)
        /// The message data is being written; the server cannot have its end yet.
        case writingData(Transaction)
        case awaitingDataReply(Transaction)
        /// An empty DATA was sent to end a pipelined transaction that had nothing to deliver.
        case endingEmptyData(SMTPError)
        /// RSET was sent after a refused transaction; then `pending` is reported.
        case resetting(pending: Outcome)
        case checkingSender(String)
        case checkingAlive
        /// QUIT was sent (RFC 5321 §4.1.1.10); its answer, or its absence, ends the connection
        /// with `pending`.
        case quitting(pending: Outcome)
        case closed
    }

    let configuration: SMTPClientConfiguration
    /// The EHLO name when the configuration has none: this machine's dotted host name, if it has one.
    let hostName: String?
    /// The XOAUTH2 token, fetched before connecting.
    let oauthToken: String?
    /// The one message this connection carries, until its transaction starts (+OneMessage).
    var oneMessage: OneMessage?
    /// Whether the connection ends after its one message: QUIT instead of RSET, QUIT after the data.
    let endsAfterOneMessage: Bool
    var state = State.awaitingConnection
    var decoder = ReplyDecoder()
    /// What the server advertised in its last EHLO reply.
    public internal(set) var extensions = ServerExtensions()
    /// The server's greeting.
    public internal(set) var greetingReply: SMTPReply?
    /// The TLS version, once TLS is up.
    public internal(set) var tlsVersion: String?
    /// The mechanism AUTH succeeded with.
    public internal(set) var authenticatedWith: SASLMechanism?
    /// The mechanism AUTH was started with, once chosen.
    public internal(set) var authMechanism: SASLMechanism?
    /// Whether the session got open (greeted, secured and authenticated as configured) at some point.
    public internal(set) var sessionOpened = false
    /// Messages delivered on this connection, for the pool's `maxMessages`.
    public internal(set) var messagesDelivered = 0
    /// The phase the connection is in, for errors and for `doctor`'s steps.
    public internal(set) var phase = SMTPPhase.connect
    var transcriptLines: [TranscriptLine] = []
    /// The credentials and the AUTH payloads sent so far, longest first, scrubbed from every reply (+Secrets).
    var secrets: [String]
    /// The local address literal, the EHLO name of last resort.
    var fallbackName: String?
    /// True when the bytes received last completed no reply: the next read continues the same
    /// reply, under the deadline that reply started with (RFC 5321 §4.5.3.2 times a reply, not
    /// a read, so a server that trickles a byte at a time cannot stretch it).
    public internal(set) var continuesReply = false

    /// A machine for one connection.
    /// - Parameters:
    ///   - configuration: what to ask of the server.
    ///   - hostName: the EHLO name when the configuration has none (a dotted host name); nil uses
    ///     the connection's local address literal.
    ///   - oauthToken: the XOAUTH2 access token, when `configuration.oauth2` is set.
    ///   - oneMessage: the only message this connection is for (a fresh connection per send): the
    ///     machine sends it as soon as the session is open, with the fewest round trips the server
    ///     allows, and ends the connection after it (see +OneMessage). Nil for a connection that
    ///     waits for ``send(envelope:message:)`` (a pool's).
    public init(configuration: SMTPClientConfiguration, hostName: String? = nil, oauthToken: String? = nil,
                oneMessage: OneMessage? = nil) {
        self.configuration = configuration
        self.hostName = hostName
        self.oauthToken = oauthToken
        self.oneMessage = oneMessage
        endsAfterOneMessage = oneMessage != nil
        secrets = Self.secrets(in: configuration, oauthToken: oauthToken)
    }

    /// Whether the connection is open and between messages.
    public var isReady: Bool {
        if case .ready = state { return true }
        return false
    }

    /// Whether the connection is over.
    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// The dialogue since the last call, AUTH payloads redacted; empty unless the configuration has
    /// a transcript handler.
    public mutating func takeTranscript() -> [TranscriptLine] {
        defer { transcriptLines.removeAll() }
        return transcriptLines
    }

    // MARK: - Events

    /// The TCP connection is up.
    /// - Parameter localAddressLiteral: the local address as `[192.0.2.1]`, the EHLO name of last resort.
    public mutating func connected(localAddressLiteral: String?) -> Action {
        guard case .awaitingConnection = state else { preconditionFailure("connected() in state \(state)") }
        note("connected to \(configuration.host):\(configuration.port)")
        fallbackName = localAddressLiteral
        if configuration.security == .implicitTLS {
            state = .implicitHandshake
            phase = .tls
            return .startTLS(.connection)
        }
        state = .greeting
        phase = .greeting
        return .read(.greeting)
    }

    /// The TLS handshake the last action asked for succeeded.
    public mutating func tlsEstablished(version: String?) -> Action {
        tlsVersion = version
        note("TLS established (\(version ?? "unknown version"))")
        switch state {
        case .implicitHandshake:
            state = .greeting
            phase = .greeting
            return .read(.greeting)
        case .startTLSHandshake:
            return sendEHLO()
        default:
            preconditionFailure("tlsEstablished() in state \(state)")
        }
    }

    /// Bytes arrived from the server.
    public mutating func received(_ bytes: [UInt8]) -> Action {
        decoder.feed(bytes)
        continuesReply = true
        while true {
            let reply: SMTPReply?
            do {
                reply = try decoder.next().map(scrubbed)
            } catch let failure as ReplyDecoder.Failure {
                return protocolViolation(scrubbed(failure.message))
            } catch {
                return protocolViolation(scrubbed("\(error)"))
            }
            guard let reply else { return .read(pendingTimeout) }
            continuesReply = false
            logReply(reply)
            guard let action = handle(reply) else { continue }
            // Nothing may be left over once the machine moves on: an extra reply would be taken as
            // the answer to the next command, and every reply after it would be misattributed.
            if decoder.bufferedByteCount > 0, !isClosed {
                let stray = "the server sent \(decoder.bufferedByteCount) bytes nobody asked for"
                switch action {
                case .finish(let outcome) where outcome.endsTransaction:
                    // The transaction's outcome is known (a 250 after the data is the server's acceptance,
                    // RFC 5321 §4.1.1.4) and stands: reporting it as a failure would get a delivered message
                    // sent again. Only the connection can no longer be trusted.
                    note("\(stray); closing the connection")
                    state = .closed
                    return .close(outcome, quit: false)
                case .send where pendingQuitOutcome != nil:
                    // The QUIT about to go out is not sent: the outcome it would end with stands.
                    note("\(stray); closing the connection")
                    let pending = pendingQuitOutcome!
                    state = .closed
                    return .close(pending, quit: false)
                case .finish, .send: return protocolViolation(stray)
                default: break
                }
            }
            return action
        }
    }

    /// The message data was written.
    public mutating func bodyWritten() -> Action {
        switch state {
        case .writingData(let transaction):
            state = .awaitingDataReply(transaction)
            if transaction.quitFollows { return sendCommands([.quit]) }  // +OneMessage
            return .read(.socket)
        case .endingEmptyData:
            return .read(.socket)
        default:
            preconditionFailure("bodyWritten() in state \(state)")
        }
    }

    /// Sends one message; only when ``isReady``.
    /// - Parameters:
    ///   - envelope: MAIL FROM and RCPT TO.
    ///   - message: the RFC 5322 message, any line endings.
    public mutating func send(envelope: SMTPEnvelope, message: [UInt8]) -> Action {
        guard case .ready = state else { preconditionFailure("send() in state \(state)") }
        return startTransaction(envelope: envelope, message: message)
    }

    /// Asks whether the server accepts `sender` as MAIL FROM, then resets: sends nothing.
    public mutating func checkSender(_ sender: String) -> Action {
        guard case .ready = state else { preconditionFailure("checkSender() in state \(state)") }
        state = .checkingSender(sender)
        phase = .mail
        return sendCommands([.mailFrom(sender, parameters: [])])
    }

    /// NOOP, to learn whether a connection that sat idle is still usable.
    public mutating func checkAlive() -> Action {
        guard case .ready = state else { preconditionFailure("checkAlive() in state \(state)") }
        state = .checkingAlive
        phase = .mail  // what a reused connection is checked for
        return sendCommands([.noop])
    }

    /// Ends a ready connection politely: QUIT, then close once the server answers.
    public mutating func quit() -> Action {
        guard case .ready = state else { preconditionFailure("quit() in state \(state)") }
        return beginQuit(then: .closed)
    }

    /// Whether QUIT was sent and its answer is awaited; `pendingQuitOutcome` is what the
    /// connection ends with.
    public var pendingQuitOutcome: Outcome? {
        if case .quitting(let pending) = state { return pending }
        return nil
    }

    /// Sends QUIT; whatever answers it (a reply, a hang-up, silence past the short QUIT timeout)
    /// ends the connection with `pending`: the work is done, so nothing QUIT brings changes it.
    mutating func beginQuit(then pending: Outcome) -> Action {
        state = .quitting(pending: pending)
        phase = .quit
        return sendCommands([.quit])
    }

    /// The optional overall `sendTimeout` passed during the current operation (the driver keeps
    /// that deadline; the machine names it and classes the failure like any timeout).
    public mutating func sendDeadlinePassed() -> Action {
        let seconds = configuration.timeouts.send ?? 0
        let text = seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)
        return drop(afterBody(SMTPError(.timeout, phase: phase, "the send did not finish within sendTimeout (\(text) s)",
                                        hint: "The server answers too slowly for sendTimeout; raise it, or check the server.")))
    }

    /// A read, write or handshake failed, timed out or was cancelled (`NetworkError` as the
    /// stream reports it).
    public mutating func ioFailed(_ failure: NetworkError) -> Action {
        drop(classify(failure))
    }

    /// Ends the connection at once. While resetting after a refused transaction, what is reported
    /// stays that refusal: the transaction's outcome is known, whatever happens to RSET.
    mutating func drop(_ error: SMTPError) -> Action {
        let outcome: Outcome
        var quitSent = false
        switch state {
        case .resetting(let pending): outcome = pending
        case .endingEmptyData(let refusal): outcome = .failed(refusal)
        case .quitting(let pending): (outcome, quitSent) = (pending, true)
        default: outcome = .failed(error)
        }
        state = .closed
        return .close(outcome, quit: quitSent)
    }

    // MARK: - Helpers for the extensions

    /// The timeout for the read the current state waits on.
    var pendingTimeout: Timeout {
        switch state {
        case .greeting: .greeting
        case .quitting: .quit
        default: .socket
        }
    }
}
