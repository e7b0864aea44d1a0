/// Something that happened inside a connector, for a host's logs and metrics.
///
/// An event has a name (`send.finished`), a level, the connector it came from, an optional
/// duration and a flat metadata dictionary. Metadata never holds a password, a token, a key, a
/// message body or a template value; it may hold host names, the Message-ID, reply codes and, in
/// `smtp.transcript` events (only with `debug: true`), the masked SMTP dialogue.
///
/// Events are delivered synchronously, on the thread where they happened (often one of the
/// connector's I/O threads): a handler should hand them off quickly and never block.
public struct ConnectorEvent: Sendable, Equatable, CustomStringConvertible {
    /// What happened; the raw value is the dotted name printed by `--events`.
    public var name: Name
    /// How much an operator should care.
    public var level: Level
    /// The id of the connector it came from (`smtp`, a preset id such as `gmail`, `failover`).
    public var connector: String
    /// How long the step took, for events that end one (`send.finished`, `smtp.phase`, ...).
    public var duration: Duration?
    /// Details; the keys each event carries are listed in Docs/Operations.md.
    public var metadata: [String: Value]

    /// Creates an event.
    /// - Parameters:
    ///   - name: what happened.
    ///   - level: how much it matters.
    ///   - connector: the connector's id.
    ///   - duration: how long it took, when it ends a step.
    ///   - metadata: details; never a secret, a body or a template value.
    public init(_ name: Name, level: Level, connector: String, duration: Duration? = nil, metadata: [String: Value] = [:]) {
        self.name = name
        self.level = level
        self.connector = connector
        self.duration = duration
        self.metadata = metadata
    }

    /// The duration in milliseconds, as `--events` prints it.
    public var durationMilliseconds: Double? {
        duration.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }
    }

    /// `send.finished info smtp 12.3ms outcome=delivered ...`, metadata sorted by key.
    public var description: String {
        var parts = [name.rawValue, level.rawValue, connector]
        if let milliseconds = durationMilliseconds { parts.append(String(format: "%.1fms", milliseconds)) }
        parts += metadata.keys.sorted().map { "\($0)=\(metadata[$0]!)" }
        return parts.joined(separator: " ")
    }
}

extension ConnectorEvent {
    /// An event's name. Compare against the static members; connectors may add their own.
    public struct Name: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
        /// The dotted name, e.g. "send.finished".
        public let rawValue: String
        /// A name from its dotted text.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// A name from a literal: `"my-connector.quota"`.
        public init(stringLiteral value: String) { rawValue = value }
        /// The dotted name.
        public var description: String { rawValue }

        /// A send began (after the message was composed). Metadata: `messageId`, `usageType`, `recipients`.
        public static let sendStarted: Name = "send.started"
        /// A send ended. Metadata: `outcome` (`delivered`, `failed`, `outcome_unknown`), and for a
        /// failure `code`, `phase`, `replyCode`, `enhancedCode`, `error`; with a duration.
        public static let sendFinished: Name = "send.finished"
        /// A connection is open and ready (greeted, secured, authenticated). Metadata: `host`, `port`.
        public static let connectionOpened: Name = "connection.opened"
        /// A pooled connection is used again. Metadata: `idleMs`.
        public static let connectionReused: Name = "connection.reused"
        /// A connection ended. Metadata: `quit` (true when it ended with QUIT), `messages`.
        public static let connectionClosed: Name = "connection.closed"
        /// TLS is up. Metadata: `tlsVersion`, `cipher`, `resumed`.
        public static let tlsEstablished: Name = "tls.established"
        /// The AUTH mechanism was picked. Metadata: `mechanism`.
        public static let authMechanism: Name = "auth.mechanism"
        /// One SMTP phase ended. Metadata: `phase`, `ok`; with a duration.
        public static let phaseFinished: Name = "smtp.phase"
        /// A send is tried again on another connection (nothing of it was sent). Metadata: `reason`.
        public static let retry: Name = "send.retry"
        /// A failover member failed before delivering and the next one is tried. Metadata:
        /// `member`, `memberIndex`, `next`, `code`, `phase`, `replyCode`, `error`.
        public static let failoverHop: Name = "failover.hop"
        /// An OAuth2 access token was fetched from the token endpoint. Metadata: `grant`, `ok`.
        public static let tokenRefresh: Name = "oauth2.token_refresh"
        /// One line of the SMTP dialogue, AUTH masked (only with `debug` or `logger` on).
        /// Metadata: `direction` (`C`, `S`, `*`), `line`.
        public static let transcript: Name = "smtp.transcript"
    }

    /// swift-log's levels, so a bridge maps them one to one.
    public enum Level: String, Sendable, Comparable, CaseIterable {
        /// Every step: phases, transcript lines, reuse.
        case trace
        /// Connections, TLS, AUTH, sends starting.
        case debug
        /// A message delivered.
        case info
        /// Something handled on its own: a retry on another connection.
        case notice
        /// Something an operator may want to know: a failover hop.
        case warning
        /// A send failed or its outcome is unknown; a token refresh failed.
        case error
        /// Reserved for the host's own use; no connector here emits it.
        case critical

        /// Orders by severity: trace < debug < ... < critical.
        public static func < (lhs: Level, rhs: Level) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// A metadata value: text, a whole number, a number or a flag.
    public enum Value: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringLiteral,
                       ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
        /// Text: an id, a phase, a code.
        case string(String)
        /// A whole number: a count, a reply code.
        case int(Int)
        /// A number with a fraction.
        case double(Double)
        /// A flag.
        case bool(Bool)

        /// Text from a literal.
        public init(stringLiteral value: String) { self = .string(value) }
        /// A whole number from a literal.
        public init(integerLiteral value: Int) { self = .int(value) }
        /// A flag from a literal.
        public init(booleanLiteral value: Bool) { self = .bool(value) }

        /// The value as text.
        public var description: String {
            switch self {
            case .string(let text): text
            case .int(let number): String(number)
            case .double(let number): String(number)
            case .bool(let flag): String(flag)
            }
        }
    }
}
