import SMTPWire
import Foundation
import NetworkIO

/// The result of ``SMTPClient/diagnose(sender:)``: each step with its time, what was seen and,
/// on failure, the fix.
public struct SMTPDiagnosis: Sendable {
    /// How a step went.
    public enum Status: String, Sendable {
        case pass, warn, fail, skip
    }

    /// What a step probes, in the order the steps run.
    public enum StepName: String, Sendable {
        case dns, connect, tls, greeting, ehlo, starttls, auth, mail, quit
    }

    /// One probe step.
    public struct Step: Sendable {
        /// What it probes.
        public var name: StepName
        /// How it went.
        public var status: Status
        /// How long it took, in milliseconds.
        public var milliseconds: Int
        /// What was seen (addresses, TLS version and certificate, capabilities, replies).
        public var detail: String
        /// How to fix a failure or warning.
        public var hint: String?
        /// The server reply that made the step fail, when there was one.
        public var reply: SMTPReply?

        /// Creates a step.
        /// - Parameters:
        ///   - name: the step's name.
        ///   - status: how it went.
        ///   - milliseconds: how long it took.
        ///   - detail: what was seen.
        ///   - hint: the fix, for a failure or warning.
        ///   - reply: the reply that made it fail.
        public init(name: StepName, status: Status, milliseconds: Int, detail: String, hint: String? = nil, reply: SMTPReply? = nil) {
            self.name = name
            self.status = status
            self.milliseconds = milliseconds
            self.detail = detail
            self.hint = hint
            self.reply = reply
        }
    }

    /// The steps, in order; probing stops at the first failure.
    public var steps: [Step]

    /// A diagnosis of `steps`.
    /// - Parameter steps: the steps, in order.
    public init(steps: [Step]) {
        self.steps = steps
    }

    /// Whether there are steps and every one passed, was skipped or only warned.
    public var ok: Bool { !steps.isEmpty && !steps.contains { $0.status == .fail } }
}

extension SMTPClient {
    /// Probes the server step by step without sending a message: DNS, TCP, TLS, greeting, EHLO,
    /// STARTTLS, AUTH, then MAIL FROM `sender` (if given), RSET and QUIT. The steps are the phases
    /// the client's state machine goes through, timed as it enters each.
    public func diagnose(sender: String?) async -> SMTPDiagnosis {
        let oauthToken: String?
        do {
            oauthToken = try await fetchOAuthToken()
        } catch {
            return SMTPDiagnosis(steps: [.init(name: .auth, status: .fail, milliseconds: 0, detail: "\(error)", hint: nil)])
        }
        let run = DiagnosisRun(configuration: configuration, tlsContext: tlsContext, hostName: hostName,
                               oauthToken: oauthToken, sender: sender, token: CancellationToken())
        return (try? await SMTPConnection.onExecutor(configuration.executor, token: run.token) { run.run() })
            ?? SMTPDiagnosis(steps: [])
    }
}

/// One blocking run of the probe steps.
private struct DiagnosisRun: Sendable {
    let configuration: SMTPClientConfiguration
    let tlsContext: TLSContext?
    let hostName: String?
    let oauthToken: String?
    let sender: String?
    let token: CancellationToken

    /// Where the machine was when it entered a phase.
    private struct Mark {
        var phase: SMTPPhase
        var at: UInt64
        var machine: SMTPClientStateMachine
    }

    func run() -> SMTPDiagnosis {
        var steps: [SMTPDiagnosis.Step] = []
        let host = configuration.host, port = configuration.port
        var start = Self.now()
        do {
            let addresses = try Resolver.resolve(host: host, port: port, deadline: .after(seconds: configuration.timeouts.dns), token: token)
            let texts = Array(Set(addresses.compactMap(\.text))).sorted()
            steps.append(.init(name: .dns, status: .pass, milliseconds: Self.elapsed(since: start), detail: "\(host) -> \(texts.joined(separator: ", "))"))
        } catch {
            let message = (error as? NetworkError)?.message ?? "\(error)"
            steps.append(.init(name: .dns, status: .fail, milliseconds: Self.elapsed(since: start), detail: message,
                               hint: "Check the host name for typos; the resolver does not know it."))
            return SMTPDiagnosis(steps: steps)
        }
        start = Self.now()
        var connection: SMTPConnection
        do {
            connection = try SMTPConnection.connect(configuration: configuration, tlsContext: tlsContext, hostName: hostName,
                                                    oauthToken: oauthToken, token: token)
            steps.append(.init(name: .connect, status: .pass, milliseconds: Self.elapsed(since: start), detail: "\(host):\(port)"))
        } catch {
            steps.append(Self.failed(.connect, error, since: start))
            return SMTPDiagnosis(steps: steps)
        }
        defer { connection.abort() }

        var marks: [Mark] = []
        let first = connection.begin()
        let outcome = connection.perform(first) { machine in
            marks.append(Mark(phase: machine.phase, at: Self.now(), machine: machine))
        }
        let end = Self.now()
        var opened = true
        if case .failed = outcome { opened = false }
        steps += sessionSteps(marks, end: end, final: connection.machine, outcome: outcome, stream: connection.stream)
        guard opened else { return SMTPDiagnosis(steps: steps) }

        start = Self.now()
        if let sender {
            switch connection.checkSender(sender) {
            case .senderAccepted(let reply):
                steps.append(.init(name: .mail, status: .pass, milliseconds: Self.elapsed(since: start), detail: "<\(sender)> accepted: \(reply)"))
            case .failed(let error):
                steps.append(Self.failed(.mail, error, since: start))
                return SMTPDiagnosis(steps: steps)
            default:
                break
            }
        } else {
            steps.append(.init(name: .mail, status: .skip, milliseconds: 0, detail: "no sender to check"))
        }
        start = Self.now()
        connection.quit()
        steps.append(.init(name: .quit, status: .pass, milliseconds: Self.elapsed(since: start), detail: "RSET and QUIT; nothing was sent"))
        return SMTPDiagnosis(steps: steps)
    }

    /// The steps of opening the session, from the phases the machine went through.
    private func sessionSteps(_ marks: [Mark], end: UInt64, final: SMTPClientStateMachine, outcome: SMTPClientStateMachine.Outcome,
                              stream: NetworkStream?) -> [SMTPDiagnosis.Step] {
        // Name each phase the machine entered; EHLO after STARTTLS belongs to the STARTTLS step.
        var segments: [(name: SMTPDiagnosis.StepName, start: UInt64, end: UInt64, after: SMTPClientStateMachine)] = []
        var sawHello = false, sawStartTLS = false
        for (index, mark) in marks.enumerated() {
            let name: SMTPDiagnosis.StepName
            switch mark.phase {
            case .tls: name = sawHello ? .starttls : .tls; sawStartTLS = sawHello
            case .greeting: name = .greeting
            case .ehlo: name = sawStartTLS ? .starttls : .ehlo; sawHello = true
            case .auth: name = .auth
            default: continue
            }
            let segmentEnd = index + 1 < marks.count ? marks[index + 1].at : end
            let after = index + 1 < marks.count ? marks[index + 1].machine : final
            if segments.last?.name == name {
                segments[segments.count - 1].end = segmentEnd
                segments[segments.count - 1].after = after
            } else {
                segments.append((name, mark.at, segmentEnd, after))
            }
        }
        var steps: [SMTPDiagnosis.Step] = []
        for (index, segment) in segments.enumerated() {
            let milliseconds = Int((segment.end - segment.start) / 1_000_000)
            if index == segments.count - 1, case .failed(var error) = outcome {
                if segment.name == .greeting, error.kind == .timeout, configuration.security != .implicitTLS, speaksImplicitTLS() {
                    error.message += "; this port answers a TLS handshake instead"
                    error.hint = "Port \(configuration.port) expects implicit TLS: set secure to true."
                }
                steps.append(.init(name: segment.name, status: .fail, milliseconds: milliseconds,
                                   detail: error.reply.map { "\(error.message): \($0)" } ?? error.message, hint: error.hint, reply: error.reply))
                return steps
            }
            let machine = segment.after
            let detail: String
            switch segment.name {
            case .tls: detail = tlsDetail(stream)
            case .greeting: detail = machine.greetingReply?.description ?? ""
            case .ehlo: detail = machine.extensions.keywords.keys.sorted().joined(separator: " ")
            case .starttls: detail = tlsDetail(stream) + "; EHLO again: " + machine.extensions.keywords.keys.sorted().joined(separator: " ")
            default: detail = "accepted with \(machine.authenticatedWith?.rawValue ?? "?")"
            }
            steps.append(.init(name: segment.name, status: .pass, milliseconds: milliseconds, detail: detail))
            if segment.name == .ehlo, configuration.security != .implicitTLS, !segments.contains(where: { $0.name == .starttls }) {
                steps.append(configuration.security == .plaintext
                    ? .init(name: .starttls, status: .warn, milliseconds: 0,
                            detail: "ignoreTLS is set: everything, credentials included, crosses the network unencrypted",
                            hint: "Remove ignoreTLS unless this is a trusted local relay.")
                    : .init(name: .starttls, status: .warn, milliseconds: 0, detail: "the server does not offer STARTTLS: the session stays unencrypted",
                            hint: "Use a port with TLS (465 with secure: true, or 587) and set requireTLS."))
            }
        }
        if configuration.credentials == nil, configuration.oauth2 == nil {
            steps.append(.init(name: .auth, status: .skip, milliseconds: 0, detail: "no credentials configured (an IP-authorized relay)"))
        }
        return steps
    }

    private func tlsDetail(_ stream: NetworkStream?) -> String {
        let version = stream?.tlsVersion ?? "TLS"
        let verified = stream?.verifiedName.map { "certificate verified for \($0)" }
            ?? "certificate NOT verified (rejectUnauthorized: false)"
        return [version, verified, stream?.peerCertificateSummary].compactMap { $0 }.joined(separator: ", ")
    }

    /// Whether a fresh connection to the port completes a TLS handshake (without verification).
    private func speaksImplicitTLS() -> Bool {
        guard let context = try? TLSContext(.client(verifyPeer: false)),
              let socket = try? TCPSocket.connect(host: configuration.host, port: configuration.port, deadline: .after(seconds: 3)) else {
            return false
        }
        let stream = NetworkStream(socket: socket)
        defer { stream.close() }
        return (try? stream.startTLS(context, serverName: configuration.host, deadline: .after(seconds: 3))) != nil
    }

    private static func failed(_ name: SMTPDiagnosis.StepName, _ error: any Error, since start: UInt64) -> SMTPDiagnosis.Step {
        guard let error = error as? SMTPError else {
            return .init(name: name, status: .fail, milliseconds: elapsed(since: start), detail: "\(error)")
        }
        return .init(name: name, status: .fail, milliseconds: elapsed(since: start),
                     detail: error.reply.map { "\(error.message): \($0)" } ?? error.message, hint: error.hint, reply: error.reply)
    }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private static func elapsed(since start: UInt64) -> Int {
        Int((now() - start) / 1_000_000)
    }
}
