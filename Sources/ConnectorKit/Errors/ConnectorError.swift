/// An error from a connector: what went wrong (a Logto error code), where (the phase), what the
/// server said (its reply) and what to do about it (a hint).
///
/// Compare codes with `==` against the static members of ``Code``; new codes may be added later.
/// The message, reply and hint never contain a password or a token.
public struct ConnectorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A Logto connector error code. The raw value is Logto's spelling (`invalid_config`).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Anything that fits no other code.
        public static let general = Code(rawValue: "general")
        /// The configuration is malformed or incomplete; see ``ConnectorError/issues``.
        public static let invalidConfig = Code(rawValue: "invalid_config")
        /// No template for the requested usage type (and no Generic template).
        public static let templateNotFound = Code(rawValue: "template_not_found")
        /// The server refused the credentials.
        public static let authorizationFailed = Code(rawValue: "authorization_failed")
        /// The provider throttled us.
        public static let rateLimitExceeded = Code(rawValue: "rate_limit_exceeded")
        /// The server answered something we cannot accept (an error reply, garbage, a broken TLS peer).
        public static let invalidResponse = Code(rawValue: "invalid_response")
        /// The request itself is unusable (bad recipient address, header injection attempt).
        public static let invalidRequest = Code(rawValue: "invalid_request")
        /// The network failed: no connection, a timeout, the peer hung up.
        public static let socketError = Code(rawValue: "socket_error")
        /// The message body was sent but no final reply arrived: it may or may not have been accepted.
        /// Never retried automatically, to avoid sending it twice.
        public static let outcomeUnknown = Code(rawValue: "outcome_unknown")
        /// TLS could not be established: the handshake failed, the certificate did not verify (chain,
        /// expiry or host name), or TLS was required and not offered. The phase says where.
        public static let tlsFailed = Code(rawValue: "tls_failed")
        /// The connector was shut down (``EmailConnector/shutdown()``); make a new one to send again.
        public static let shutDown = Code(rawValue: "shut_down")
        /// The operation was cancelled by the caller.
        public static let cancelled = Code(rawValue: "cancelled")
    }

    /// What went wrong.
    public var code: Code
    /// One or two sentences for a person.
    public var message: String
    /// The protocol phase the failure happened in, when it came from the transport.
    public var phase: Phase?
    /// The server's reply that caused the failure, when there was one.
    public var reply: ServerReply?
    /// A suggestion for the fix.
    public var hint: String?
    /// The configuration problems, for ``Code/invalidConfig``.
    public var issues: [ConfigIssue]
    /// Whether trying again later may succeed (4xx replies, network trouble before the body was sent).
    public var isTransient: Bool
    /// The failover members that failed before this error, when it came from a ``FailoverConnector``.
    public var failoverHops: [FailoverHop] = []

    /// Creates an error.
    /// - Parameters:
    ///   - code: the Logto error code.
    ///   - message: what happened, for a person.
    ///   - phase: the protocol phase, when known.
    ///   - reply: the server reply that caused it, when there is one.
    ///   - hint: how to fix it.
    ///   - issues: configuration problems, for `invalid_config`.
    ///   - isTransient: whether a later retry may succeed.
    public init(_ code: Code, _ message: String, phase: Phase? = nil, reply: ServerReply? = nil,
                hint: String? = nil, issues: [ConfigIssue] = [], isTransient: Bool = false) {
        self.code = code
        self.message = message
        self.phase = phase
        self.reply = reply
        self.hint = hint
        self.issues = issues
        self.isTransient = isTransient
    }

    /// The message, then the phase, the reply and the hint, on one line each.
    public var description: String {
        var lines = ["\(code.rawValue): \(message)"]
        if let phase { lines.append("  phase: \(phase.rawValue)") }
        if let reply { lines.append("  server replied: \(reply)") }
        for issue in issues { lines.append("  - \(issue)") }
        for hop in failoverHops { lines.append("  tried \(hop)") }
        if let hint { lines.append("  hint: \(hint)") }
        return lines.joined(separator: "\n")
    }
}

extension ConnectorError {
    /// The step of a send in which a failure happened.
    public enum Phase: String, Sendable, Codable, CaseIterable {
        case config, template, compose, connect, tls, greeting, ehlo, auth, mail, rcpt, data, quit
    }

    /// A server reply as reported in errors: code, optional RFC 3463 enhanced code, and text.
    public struct ServerReply: Sendable, Equatable, Codable, CustomStringConvertible {
        /// The three-digit reply code, e.g. 535.
        public var code: Int
        /// The enhanced status code, e.g. "5.7.8", when the server sent one.
        public var enhancedCode: String?
        /// The reply text with lines joined by a space.
        public var text: String

        /// Creates a reply value.
        public init(code: Int, enhancedCode: String?, text: String) {
            self.code = code
            self.enhancedCode = enhancedCode
            self.text = text
        }

        /// `535 5.7.8 Authentication credentials invalid`.
        public var description: String {
            [String(code), enhancedCode, text].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        }
    }
}
