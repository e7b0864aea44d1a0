import SMTPWire

/// A failed SMTP send: the phase, the kind of failure, the server's reply if any, and a hint.
///
/// Compare ``kind`` with the static members of ``Kind``; use the predicates for policy.
/// No message or hint ever contains a password or a token.
public struct SMTPError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Resolving or connecting failed.
        public static let connection = Kind("connection")
        /// A deadline passed (`dnsTimeout`, `connectionTimeout`, `greetingTimeout`, `socketTimeout`
        /// or `sendTimeout`).
        public static let timeout = Kind("timeout")
        /// The TLS handshake failed, or TLS was required and not offered.
        public static let tls = Kind("tls")
        /// The server's certificate did not verify.
        public static let certificate = Kind("certificate")
        /// The server refused the credentials, or no usable mechanism was offered.
        public static let authentication = Kind("authentication")
        /// The server answered with an error reply.
        public static let rejected = Kind("rejected")
        /// The server broke the protocol (garbage, over-long lines, a reply nobody asked for).
        public static let protocolViolation = Kind("protocol")
        /// The server closed the connection (or reset it) where a reply was due.
        public static let connectionClosed = Kind("connection_closed")
        /// The message or envelope cannot be sent safely (CR/LF in a value, too large).
        public static let invalidInput = Kind("invalid_input")
        /// The send was cancelled.
        public static let cancelled = Kind("cancelled")
    }

    /// What kind of failure.
    public var kind: Kind
    /// Where in the session it happened.
    public var phase: SMTPPhase
    /// What happened, for a person.
    public var message: String
    /// The server's reply that caused it, if any.
    public var reply: SMTPReply?
    /// How to fix it, when known.
    public var hint: String?
    /// True when the message body was sent but the final reply never came: the message may or may
    /// not have been accepted. Such a send must not be retried automatically.
    public var outcomeUnknown: Bool
    /// True once any of the message body went to the server (a refusal of the finished message, or
    /// an unknown outcome). Only a failure before that may be retried without risk of a duplicate.
    public var bodyWasSent: Bool = false

    /// Creates an error.
    public init(_ kind: Kind, phase: SMTPPhase, _ message: String, reply: SMTPReply? = nil,
                hint: String? = nil, outcomeUnknown: Bool = false) {
        self.kind = kind
        self.phase = phase
        self.message = message
        self.reply = reply
        self.hint = hint
        self.outcomeUnknown = outcomeUnknown
    }

    /// Whether a later retry may succeed: a 4xx reply or network trouble, and the outcome is known.
    public var isTransient: Bool {
        guard !outcomeUnknown else { return false }
        if let reply { return reply.isTransient }
        return kind == .connection || kind == .timeout || kind == .protocolViolation || kind == .connectionClosed
    }

    /// Whether the server said no for good (5xx).
    public var isPermanent: Bool { reply?.isPermanent ?? false }
    /// Whether a deadline passed.
    public var isTimeout: Bool { kind == .timeout }
    /// Whether TLS or the certificate failed.
    public var isTLS: Bool { kind == .tls || kind == .certificate }
    /// Whether authentication failed.
    public var isAuthentication: Bool { kind == .authentication }

    /// `[phase] message — server replied: … — hint: …`.
    public var description: String {
        var text = "SMTP \(phase.rawValue) failed: \(message)"
        if let reply { text += " (server replied: \(reply))" }
        if let hint { text += ". Hint: \(hint)" }
        return text
    }
}
