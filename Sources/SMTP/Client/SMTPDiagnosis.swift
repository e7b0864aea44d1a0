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

    /// One probe step.
    public struct Step: Sendable {
        /// `dns`, `connect`, `tls`, `greeting`, `ehlo`, `starttls`, `auth`, `mail`, `quit`.
        public var name: String
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
    }

    /// The steps, in order; probing stops at the first failure.
    public var steps: [Step]

    /// Whether every step passed or was skipped or only warned.
    public var ok: Bool { !steps.contains { $0.status == .fail } }
}

extension SMTPClient {
    /// Probes the server step by step without sending a message: DNS, TCP, TLS, greeting, EHLO,
    /// STARTTLS, AUTH, then MAIL FROM `sender` (if given), RSET and QUIT.
    public func diagnose(sender: String?) async -> SMTPDiagnosis {
        let session: SMTPSession
        do {
            session = try await makeSession()
        } catch {
            return SMTPDiagnosis(steps: [.init(name: "auth", status: .fail, milliseconds: 0, detail: "\(error)", hint: nil)])
        }
        let configuration = self.configuration
        let tlsContext = self.tlsContext
        let result = try? await DedicatedThread.run(name: "smtp-doctor", handle: session.cancellation) {
            DiagnosisRun(session: session, configuration: configuration, tlsContext: tlsContext, sender: sender).run()
        }
        return result ?? SMTPDiagnosis(steps: [])
    }
}

/// One blocking run of the probe steps.
private struct DiagnosisRun {
    let session: SMTPSession
    let configuration: SMTPClientConfiguration
    let tlsContext: TLSContext?
    let sender: String?

    func run() -> SMTPDiagnosis {
        var steps: [SMTPDiagnosis.Step] = []
        func step(_ name: String, _ body: () throws -> (SMTPDiagnosis.Status, String, String?)) -> Bool {
            let start = DispatchTime.now().uptimeNanoseconds
            var result: SMTPDiagnosis.Step
            do {
                let (status, detail, hint) = try body()
                result = .init(name: name, status: status, milliseconds: elapsed(since: start), detail: detail, hint: hint)
            } catch let error as SMTPError {
                result = .init(name: name, status: .fail, milliseconds: elapsed(since: start),
                               detail: error.reply.map { "\(error.message): \($0)" } ?? error.message, hint: error.hint,
                               reply: error.reply)
            } catch {
                result = .init(name: name, status: .fail, milliseconds: elapsed(since: start), detail: "\(error)", hint: nil)
            }
            steps.append(result)
            return result.status != .fail
        }
        defer { session.abort() }
        let host = configuration.host, port = configuration.port
        guard step("dns", {
            do {
                let addresses = try TCPSocket.resolveAddresses(host: host, port: port)
                return (.pass, "\(host) -> \(Array(Set(addresses)).sorted().joined(separator: ", "))", nil)
            } catch let error as NetworkError {
                throw SMTPError(.connection, phase: .connect, error.message, hint: "Check the host name for typos; the resolver does not know it.")
            }
        }) else { return SMTPDiagnosis(steps: steps) }
        guard step("connect", {
            try session.connect()
            return (.pass, "\(host):\(port)", nil)
        }) else { return SMTPDiagnosis(steps: steps) }
        if configuration.security == .implicitTLS {
            guard step("tls", {
                try session.implicitTLSIfConfigured()
                return (.pass, tlsDetail(), nil)
            }) else { return SMTPDiagnosis(steps: steps) }
        }
        guard step("greeting", {
            do {
                return (.pass, try session.greeting().description, nil)
            } catch var error as SMTPError where error.kind == .timeout && configuration.security != .implicitTLS {
                if speaksImplicitTLS() {
                    error.message += "; this port answers a TLS handshake instead"
                    error.hint = "Port \(port) expects implicit TLS: set secure to true."
                }
                throw error
            }
        }) else { return SMTPDiagnosis(steps: steps) }
        guard step("ehlo", {
            try session.hello()
            return (.pass, session.extensions.keywords.keys.sorted().joined(separator: " "), nil)
        }) else { return SMTPDiagnosis(steps: steps) }
        if configuration.security != .implicitTLS {
            guard step("starttls", {
                if configuration.security == .plaintext {
                    return (.warn, "ignoreTLS is set: everything, credentials included, crosses the network unencrypted", "Remove ignoreTLS unless this is a trusted local relay.")
                }
                let offered = session.extensions.startTLS
                try session.secureIfNeeded()
                guard offered else {
                    return (.warn, "the server does not offer STARTTLS: the session stays unencrypted",
                            "Use a port with TLS (465 with secure: true, or 587) and set requireTLS.")
                }
                return (.pass, tlsDetail() + "; EHLO again: " + session.extensions.keywords.keys.sorted().joined(separator: " "), nil)
            }) else { return SMTPDiagnosis(steps: steps) }
        }
        guard step("auth", {
            guard configuration.credentials != nil || configuration.oauth2 != nil else {
                return (.skip, "no credentials configured (an IP-authorized relay)", nil)
            }
            try session.authenticateIfConfigured()
            return (.pass, "accepted with \(session.authenticatedWith?.rawValue ?? "?")", nil)
        }) else { return SMTPDiagnosis(steps: steps) }
        guard step("mail", {
            guard let sender else { return (.skip, "no sender to check", nil) }
            let reply = try session.exchange(.mailFrom(sender, parameters: []), phase: .mail)
            guard reply.isPositive else {
                throw SMTPError(.rejected, phase: .mail, "the server refuses <\(sender)> as sender", reply: reply,
                                hint: "Use an address the account may send from (a verified sender, or the account itself).")
            }
            return (.pass, "<\(sender)> accepted: \(reply)", nil)
        }) else { return SMTPDiagnosis(steps: steps) }
        _ = step("quit", {
            if sender != nil { try session.reset() }
            session.close()
            return (.pass, "RSET and QUIT; nothing was sent", nil)
        })
        return SMTPDiagnosis(steps: steps)
    }

    private func tlsDetail() -> String {
        let version = session.stream?.tlsVersion ?? "TLS"
        let verified = session.stream?.verifiedName.map { "certificate verified for \($0)" }
            ?? "certificate NOT verified (rejectUnauthorized: false)"
        return [version, verified, session.stream?.peerCertificateSummary].compactMap { $0 }.joined(separator: ", ")
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

    private func elapsed(since start: UInt64) -> Int {
        Int((DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
    }
}
