import Foundation
import NetworkIO
import SMTPWire

/// One SMTP connection: an ``SMTPClientStateMachine`` driven over a socket.
///
/// The driver only performs the machine's actions (write, read, handshake) and reports what
/// happened; every decision is the machine's. Its methods block, so they run on a
/// ``BlockingExecutor`` thread, one operation at a time. It is a value: whoever runs an operation
/// gets the updated connection back (the pool keeps it between messages).
///
/// Cancellation enters through ``token``: cancelling it shuts the socket down, which wakes the
/// blocked read, write, handshake or connect at once; a name lookup in progress is abandoned.
struct SMTPConnection: Sendable {
    var machine: SMTPClientStateMachine
    private(set) var stream: NetworkStream?
    let tlsContext: TLSContext?
    /// Cancels whatever this connection is blocked on, from any thread.
    let token: CancellationToken
    private let configuration: SMTPClientConfiguration

    /// Called when the machine enters another phase, with the machine; `doctor` times its steps this way.
    typealias Observer = (SMTPClientStateMachine) -> Void

    /// Resolves, connects and opens the session: greeting, EHLO, STARTTLS, AUTH.
    /// - Throws: ``SMTPError``; the connection is closed then.
    static func open(configuration: SMTPClientConfiguration, tlsContext: TLSContext?, hostName: String?,
                     oauthToken: String?, token: CancellationToken, observe: Observer? = nil) throws -> SMTPConnection {
        let started = ContinuousClock.now
        var connection = try connect(configuration: configuration, tlsContext: tlsContext, hostName: hostName,
                                     oauthToken: oauthToken, token: token)
        let first = connection.machine.connected(localAddressLiteral: connection.stream?.socket.localAddressLiteral)
        if case .failed(let error) = connection.perform(first, observe: observe) { throw error }
        configuration.events?(.opened(seconds: started.duration(to: .now).seconds))
        return connection
    }

    /// DNS (`dnsTimeout`) and TCP (`connectionTimeout`, shared among the addresses) only.
    static func connect(configuration: SMTPClientConfiguration, tlsContext: TLSContext?, hostName: String?,
                        oauthToken: String?, token: CancellationToken) throws -> SMTPConnection {
        let started = ContinuousClock.now
        do {
            let addresses = try Resolver.resolve(host: configuration.host, port: configuration.port,
                                                 deadline: .after(seconds: configuration.timeouts.dns), token: token)
            let socket = try TCPSocket.connect(to: addresses, host: configuration.host, port: configuration.port,
                                               localAddress: configuration.localAddress,
                                               deadline: .after(seconds: configuration.timeouts.connection), token: token)
            configuration.events?(.phaseFinished(.connect, seconds: started.duration(to: .now).seconds, ok: true))
            let machine = SMTPClientStateMachine(configuration: configuration, hostName: hostName, oauthToken: oauthToken)
            return SMTPConnection(machine: machine, stream: NetworkStream(socket: socket), tlsContext: tlsContext,
                                  token: token, configuration: configuration)
        } catch let error as NetworkError {
            configuration.events?(.phaseFinished(.connect, seconds: started.duration(to: .now).seconds, ok: false))
            throw connectError(error, configuration: configuration)
        }
    }

    /// Delivers one message on a ready connection.
    mutating func send(envelope: SMTPEnvelope, message: [UInt8]) -> SMTPClientStateMachine.Outcome {
        perform(machine.send(envelope: envelope, message: message))
    }

    /// MAIL FROM `sender` and RSET: whether the server would take mail from `sender`.
    mutating func checkSender(_ sender: String, observe: Observer? = nil) -> SMTPClientStateMachine.Outcome {
        perform(machine.checkSender(sender), observe: observe)
    }

    /// Passes `event` to the configuration's event handler, if there is one.
    func report(_ event: @autoclosure () -> SMTPConnectionEvent) {
        configuration.events?(event())
    }

    /// NOOP on a connection that sat idle; not reported as a phase (it belongs to no send).
    mutating func checkAlive() -> SMTPClientStateMachine.Outcome {
        perform(machine.checkAlive(), timed: false)
    }

    /// QUIT (when the connection is ready) and close.
    mutating func quit() {
        if machine.isReady { _ = perform(machine.quit()) } else { abort() }
    }

    /// Closes at once, without QUIT.
    mutating func abort() {
        close(quitSent: false)
    }

    private mutating func close(quitSent: Bool) {
        guard let stream else { return }
        stream.close()
        self.stream = nil
        configuration.events?(.closed(quit: quitSent, messages: machine.messagesDelivered))
    }

    // MARK: - The driver loop

    /// Performs `action` and those that follow until the machine finishes or closes; `timed`
    /// reports each phase with its duration to the configuration's events.
    ///
    /// With PIPELINING, MAIL, RCPT and DATA go out in one write: a phase whose reply arrives in the
    /// same read as the one before it is not reported on its own (the earlier phase takes its time).
    mutating func perform(_ action: SMTPClientStateMachine.Action, observe: Observer? = nil,
                          timed: Bool = true) -> SMTPClientStateMachine.Outcome {
        var action = action
        var phases = PhaseClock(phase: machine.phase, report: timed ? configuration.events : nil)
        let socketTimeout = configuration.timeouts.socket
        observe?(machine)
        while true {
            flushTranscript()
            if machine.phase != phases.phase {
                phases.enter(machine.phase)
                if machine.phase == .auth, let mechanism = machine.authMechanism {
                    configuration.events?(.authMechanismChosen(mechanism))
                }
                observe?(machine)
            }
            switch action {
            case .send(let commands):
                action = io { stream in
                    try stream.write(Array(commands.map(\.line).joined().utf8), inactivityTimeout: socketTimeout)
                } then: { $0.read(.socket) }
            case .read(let timeout):
                action = read(timeout)
            case .startTLS(let timeout):
                let name = configuration.tls.nameToVerify(host: configuration.host)
                let tlsContext = self.tlsContext
                let handshakeSeconds = seconds(timeout)
                action = io { stream in
                    guard let tlsContext else { throw NetworkError(.tls, "TLS is not configured") }
                    try stream.startTLS(tlsContext, serverName: name, deadline: .after(seconds: handshakeSeconds))
                } then: { connection in
                    connection.reportTLS()
                    return connection.machine.tlsEstablished(version: connection.stream?.tlsVersion)
                }
            case .sendBody(let bytes):
                action = io { stream in
                    try stream.write(bytes, inactivityTimeout: socketTimeout)
                } then: { $0.machine.bodyWritten() }
            case .finish(let outcome):
                phases.finish(ok: outcome.isSuccess)
                return outcome
            case .close(let outcome, let quit):
                // A phase that failed ends when the failure is known, before any QUIT; the quit
                // phase of a polite close ends with the server's answer.
                if case .closed = outcome {
                    if quit { sendQuit() }
                    phases.finish(ok: true)
                } else {
                    phases.finish(ok: outcome.isSuccess)
                    if quit { sendQuit() }
                }
                close(quitSent: quit)
                flushTranscript()
                return outcome
            }
        }
    }

    private func reportTLS() {
        guard let events = configuration.events, let stream, let version = stream.tlsVersion else { return }
        events(.tlsEstablished(version: version, cipher: stream.tlsCipher, resumed: stream.resumedSession))
    }

    /// Reads once and feeds the machine.
    private mutating func read(_ timeout: SMTPClientStateMachine.Timeout) -> SMTPClientStateMachine.Action {
        guard let stream else { return machine.ioFailed(NetworkError(.closed, "the connection is closed")) }
        do {
            let bytes = try stream.read(deadline: .after(seconds: seconds(timeout)))
            guard !bytes.isEmpty else {
                return machine.ioFailed(NetworkError(.closed, "the server closed the connection without a reply"))
            }
            return machine.received(bytes)
        } catch let error as NetworkError {
            return machine.ioFailed(error)
        } catch {
            return machine.ioFailed(NetworkError(.io, "\(error)"))
        }
    }

    /// Runs blocking `work` on the stream; its failure goes to the machine, its success to `next`.
    private mutating func io(_ work: (NetworkStream) throws -> Void,
                             then next: (inout SMTPConnection) -> SMTPClientStateMachine.Action) -> SMTPClientStateMachine.Action {
        guard let stream else { return machine.ioFailed(NetworkError(.closed, "the connection is closed")) }
        do {
            try work(stream)
        } catch let error as NetworkError {
            return machine.ioFailed(error)
        } catch {
            return machine.ioFailed(NetworkError(.io, "\(error)"))
        }
        return next(&self)
    }

    /// QUIT, waiting briefly for the answer; failures are ignored since the work is done.
    private mutating func sendQuit() {
        guard let stream else { return }
        configuration.transcript?(TranscriptLine(direction: .client, text: "QUIT"))
        let deadline = Deadline.after(seconds: min(5, configuration.timeouts.socket))
        guard (try? stream.write(Array(SMTPCommand.quit.line.utf8), deadline: deadline)) != nil else { return }
        var decoder = ReplyDecoder()
        while let bytes = try? stream.read(deadline: deadline), !bytes.isEmpty {
            decoder.feed(bytes)
            if let reply = try? decoder.next() {
                configuration.transcript?(TranscriptLine(direction: .server, text: reply.description))
                return
            }
        }
    }

    private mutating func flushTranscript() {
        guard let transcript = configuration.transcript else { return }
        for line in machine.takeTranscript() { transcript(line) }
    }

    private func seconds(_ timeout: SMTPClientStateMachine.Timeout) -> Double {
        switch timeout {
        case .connection: configuration.timeouts.connection
        case .greeting: configuration.timeouts.greeting
        case .socket: configuration.timeouts.socket
        }
    }

    /// A failure to reach the server, with its fix.
    static func connectError(_ error: NetworkError, configuration: SMTPClientConfiguration) -> SMTPError {
        switch error.kind {
        case .cancelled:
            return SMTPError(.cancelled, phase: .connect, "the send was cancelled")
        case .timeout:
            let dns = error.message.hasPrefix("resolving")
            let (name, seconds) = dns ? ("dnsTimeout", configuration.timeouts.dns) : ("connectionTimeout", configuration.timeouts.connection)
            let text = seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)
            return SMTPError(.timeout, phase: .connect, "no answer within \(name) (\(text) s): \(error.message)",
                             hint: "Check that the host and port are right and reachable, or raise \(name).")
        case .resolve:
            return SMTPError(.connection, phase: .connect, error.message, hint: "Check the host name.")
        default:
            return SMTPError(.connection, phase: .connect, error.message,
                             hint: "Check host and port, and that a firewall allows the connection.")
        }
    }
}

extension SMTPConnection {
    /// Runs `body` on `executor`; the Task's cancellation reaches `token` (which shuts the socket down).
    static func onExecutor<T: Sendable>(_ executor: BlockingExecutor, token: CancellationToken,
                                        _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withTaskCancellationHandler {
            try await executor.run(body)
        } onCancel: {
            token.cancel()
        }
    }
}
