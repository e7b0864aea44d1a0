import Foundation
import NetworkIO
import SMTPWire

/// One SMTP connection: an ``SMTPClientStateMachine`` driven over a socket.
///
/// The driver only performs the machine's actions (write, read, handshake) and reports what
/// happened; every decision is the machine's, QUIT and its answer included. Its methods block, so
/// they run on a ``BlockingExecutor`` thread, one operation at a time.
///
/// A class that is not `Sendable`: it has exactly one owner at a time, and the compiler checks
/// that. It moves between threads only with `sending` (into an executor job, back into the pool),
/// so two threads can never drive one socket.
///
/// Cancellation enters through ``token`` (which is `Sendable`): cancelling it shuts the socket
/// down, which wakes the blocked read, write, handshake or connect at once; a name lookup in
/// progress is abandoned.
final class SMTPConnection {
    private(set) var machine: SMTPClientStateMachine
    private(set) var stream: NetworkStream?
    let tlsContext: TLSContext?
    /// Cancels whatever this connection is blocked on, from any thread.
    let token: CancellationToken
    private let configuration: SMTPClientConfiguration
    /// When the current operation must be over (`sendTimeout`); `.never` without one.
    private var operationDeadline = Deadline.never
    /// When a one-message connection began to open: `.opened` is reported once its session is open.
    private var openingStarted: ContinuousClock.Instant?

    /// Called when the machine enters another phase, with the machine; `doctor` times its steps this way.
    typealias Observer = (SMTPClientStateMachine) -> Void

    private init(machine: SMTPClientStateMachine, stream: NetworkStream, tlsContext: TLSContext?,
                 token: CancellationToken, configuration: SMTPClientConfiguration, operationDeadline: Deadline) {
        self.machine = machine
        self.stream = stream
        self.tlsContext = tlsContext
        self.token = token
        self.configuration = configuration
        self.operationDeadline = operationDeadline
    }

    deinit { stream?.close() }

    /// Resolves, connects and opens the session: greeting, EHLO, STARTTLS, AUTH. `sendTimeout`,
    /// when set, starts here and covers the send that follows.
    /// - Throws: ``SMTPError``; the connection is closed then.
    static func open(configuration: SMTPClientConfiguration, tlsContext: TLSContext?, hostName: String?,
                     oauthToken: String?, token: CancellationToken) throws -> sending SMTPConnection {
        let started = ContinuousClock.now
        let connection = try connect(configuration: configuration, tlsContext: tlsContext, hostName: hostName,
                                     oauthToken: oauthToken, token: token)
        if case .failed(let error) = connection.perform(connection.begin()) { throw error }
        configuration.events?(.opened(seconds: started.duration(to: .now).seconds))
        return connection
    }

    /// Connects, delivers `message` in the fewest round trips the server allows (the session machine's
    /// one-message mode: AUTH PLAIN and QUIT pipelined when offered), and closes.
    /// - Throws: ``SMTPError``; the connection is closed then.
    static func deliver(_ message: SMTPClientStateMachine.OneMessage, configuration: SMTPClientConfiguration,
                        tlsContext: TLSContext?, hostName: String?, oauthToken: String?,
                        token: CancellationToken) throws -> SMTPSendResult {
        let started = ContinuousClock.now
        let connection = try connect(configuration: configuration, tlsContext: tlsContext, hostName: hostName,
                                     oauthToken: oauthToken, token: token, oneMessage: message)
        connection.openingStarted = configuration.events == nil ? nil : started
        defer { connection.quit() }  // QUIT when the server did not take it behind the data
        switch connection.perform(connection.begin()) {
        case .delivered(let result): return result
        case .failed(let error): throw error
        case let other: preconditionFailure("a one-message connection ended with \(other)")
        }
    }

    /// DNS (`dnsTimeout`) and TCP (`connectionTimeout`, shared among the addresses) only.
    static func connect(configuration: SMTPClientConfiguration, tlsContext: TLSContext?, hostName: String?,
                        oauthToken: String?, token: CancellationToken,
                        oneMessage: SMTPClientStateMachine.OneMessage? = nil) throws -> sending SMTPConnection {
        let started = ContinuousClock.now
        let operationDeadline = configuration.timeouts.send.map { Deadline.after(seconds: $0) } ?? .never
        do {
            let addresses = try Resolver.resolve(host: configuration.host, port: configuration.port,
                                                 deadline: min(operationDeadline, .after(seconds: configuration.timeouts.dns)), token: token)
            let socket = try TCPSocket.connect(to: addresses, host: configuration.host, port: configuration.port,
                                               localAddress: configuration.localAddress,
                                               deadline: min(operationDeadline, .after(seconds: configuration.timeouts.connection)), token: token)
            configuration.events?(.phaseFinished(.connect, seconds: started.duration(to: .now).seconds, ok: true))
            let machine = SMTPClientStateMachine(configuration: configuration, hostName: hostName, oauthToken: oauthToken,
                                                 oneMessage: oneMessage)
            return SMTPConnection(machine: machine, stream: NetworkStream(socket: socket), tlsContext: tlsContext,
                                  token: token, configuration: configuration, operationDeadline: operationDeadline)
        } catch let error as NetworkError {
            configuration.events?(.phaseFinished(.connect, seconds: started.duration(to: .now).seconds, ok: false))
            throw connectError(error, configuration: configuration, operationDeadline: operationDeadline)
        }
    }

    /// The machine's first action on the new TCP connection.
    func begin() -> SMTPClientStateMachine.Action {
        machine.connected(localAddressLiteral: stream?.socket.localAddressLiteral)
    }

    /// Starts the `sendTimeout` clock for an operation on a connection opened earlier (a pooled one).
    func startOperation() {
        operationDeadline = configuration.timeouts.send.map { Deadline.after(seconds: $0) } ?? .never
    }

    /// Delivers one message on a ready connection.
    func send(envelope: SMTPEnvelope, message: [UInt8]) -> SMTPClientStateMachine.Outcome {
        perform(machine.send(envelope: envelope, message: message))
    }

    /// MAIL FROM `sender` and RSET: whether the server would take mail from `sender`.
    func checkSender(_ sender: String, observe: Observer? = nil) -> SMTPClientStateMachine.Outcome {
        perform(machine.checkSender(sender), observe: observe)
    }

    /// Passes `event` to the configuration's event handler, if there is one.
    func report(_ event: @autoclosure () -> SMTPConnectionEvent) {
        configuration.events?(event())
    }

    /// NOOP on a connection that sat idle; not reported as a phase (it belongs to no send).
    func checkAlive() -> SMTPClientStateMachine.Outcome {
        perform(machine.checkAlive(), timed: false)
    }

    /// QUIT (when the connection is ready; the machine waits briefly for the answer) and close.
    func quit() {
        operationDeadline = .never  // QUIT has a short timeout of its own
        if machine.isReady { _ = perform(machine.quit()) } else { abort() }
    }

    /// Closes at once, without QUIT.
    func abort() {
        close(quitSent: false)
    }

    private func close(quitSent: Bool) {
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
    func perform(_ action: SMTPClientStateMachine.Action, observe: Observer? = nil,
                 timed: Bool = true) -> SMTPClientStateMachine.Outcome {
        var action = action
        var phases = PhaseClock(phase: machine.phase, report: timed ? configuration.events : nil)
        /// The deadline of the reply being awaited: set when a read starts a new reply, kept while
        /// reads continue it.
        var replyDeadline = Deadline.never
        observe?(machine)
        while true {
            flushTranscript()
            if let started = openingStarted, machine.sessionOpened {
                openingStarted = nil
                configuration.events?(.opened(seconds: started.duration(to: .now).seconds))
            }
            if machine.phase != phases.phase {
                // A failure ending with QUIT is timed as failed up to the QUIT; QUIT is not timed then.
                if machine.phase == .quit, case .failed? = machine.pendingQuitOutcome { phases.stop(ok: false) }
                phases.enter(machine.phase)
                if machine.phase == .auth, let mechanism = machine.authMechanism {
                    configuration.events?(.authMechanismChosen(mechanism))
                }
                observe?(machine)
            }
            switch action {
            case .send(let commands):
                let bytes = Array(commands.map(\.line).joined().utf8)
                action = io { try $0.write(bytes) } then: { $0.read(continuing: false, &replyDeadline) }
            case .read:
                action = read(continuing: machine.continuesReply, &replyDeadline)
            case .startTLS(let timeout):
                let name = configuration.tls.nameToVerify(host: configuration.host)
                let tlsContext = self.tlsContext
                let deadline = deadline(for: timeout)
                action = io { stream in
                    guard let tlsContext else { throw NetworkError(.tls, "TLS is not configured") }
                    try stream.startTLS(tlsContext, serverName: name, deadline: deadline)
                } then: { connection in
                    connection.reportTLS()
                    return connection.machine.tlsEstablished(version: connection.stream?.tlsVersion)
                }
            case .sendBody(let bytes):
                action = io { try $0.write(bytes) } then: { $0.machine.bodyWritten() }
            case .finish(let outcome):
                phases.finish(ok: outcome.isSuccess)
                return outcome
            case .close(let outcome, let quit):
                // The quit phase of a polite close ends with the server's answer.
                phases.finish(ok: outcome.isSuccess || quit)
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

    /// The deadline for a wait of kind `timeout` starting now, within the operation's deadline.
    private func deadline(for timeout: SMTPClientStateMachine.Timeout) -> Deadline {
        let seconds = switch timeout {
        case .connection: configuration.timeouts.connection
        case .greeting: configuration.timeouts.greeting
        case .socket: configuration.timeouts.socket
        case .quit: min(5, configuration.timeouts.socket)
        }
        return min(operationDeadline, .after(seconds: seconds))
    }

    /// Reads once and feeds the machine. A read that starts a new reply sets `replyDeadline`
    /// from the reply's timeout; one that continues a reply keeps it.
    private func read(continuing: Bool, _ replyDeadline: inout Deadline) -> SMTPClientStateMachine.Action {
        guard let stream else { return machine.ioFailed(NetworkError(.closed, "the connection is closed")) }
        if !continuing { replyDeadline = deadline(for: machine.pendingTimeout) }
        do {
            let bytes = try stream.read(deadline: replyDeadline)
            guard !bytes.isEmpty else {
                return machine.ioFailed(NetworkError(.closed, "the server closed the connection without a reply"))
            }
            return machine.received(bytes)
        } catch let error as NetworkError {
            return failed(error)
        } catch {
            return machine.ioFailed(NetworkError(.io, "\(error)"))
        }
    }

    /// Runs blocking `work` on the stream; its failure goes to the machine, its success to `next`.
    private func io(_ work: (Writer) throws -> Void,
                    then next: (SMTPConnection) -> SMTPClientStateMachine.Action) -> SMTPClientStateMachine.Action {
        guard let stream else { return machine.ioFailed(NetworkError(.closed, "the connection is closed")) }
        do {
            try work(Writer(stream: stream, inactivity: configuration.timeouts.socket, limit: operationDeadline))
        } catch let error as NetworkError {
            return failed(error)
        } catch {
            return machine.ioFailed(NetworkError(.io, "\(error)"))
        }
        return next(self)
    }

    /// A timeout that is the operation's `sendTimeout` is named as such; every other failure goes
    /// to the machine as the stream reported it.
    private func failed(_ error: NetworkError) -> SMTPClientStateMachine.Action {
        if error.kind == .timeout, operationDeadline != .never, operationDeadline.hasPassed, machine.pendingQuitOutcome == nil {
            return machine.sendDeadlinePassed()
        }
        return machine.ioFailed(error)
    }

    /// Writes with `socketTimeout` as the inactivity timeout, within the operation's deadline.
    private struct Writer {
        let stream: NetworkStream
        let inactivity: Double
        let limit: Deadline
        func write(_ bytes: [UInt8]) throws { try stream.write(bytes, inactivityTimeout: inactivity, limit: limit) }
        func startTLS(_ context: TLSContext, serverName: String?, deadline: Deadline) throws {
            try stream.startTLS(context, serverName: serverName, deadline: deadline)
        }
    }

    private func flushTranscript() {
        guard let transcript = configuration.transcript else { return }
        for line in machine.takeTranscript() { transcript(line) }
    }
}
