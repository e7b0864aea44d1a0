import NetworkIO
import SMTPWire

/// Everything the client needs to reach and talk to one server. Defaults follow nodemailer.
public struct SMTPClientConfiguration: Sendable {
    /// How the connection is secured.
    public enum Security: Sendable, Equatable {
        /// TLS from the first byte (port 465, RFC 8314). Nodemailer's `secure: true`.
        case implicitTLS
        /// STARTTLS, and fail when the server does not offer it (`requireTLS: true`). No downgrade.
        case startTLSRequired
        /// STARTTLS when offered, plaintext otherwise (the default for ports other than 465).
        /// A network attacker can strip the offer; use `startTLSRequired` where the server supports it.
        case startTLSOpportunistic
        /// Never TLS (`ignoreTLS: true`). Everything, credentials included, crosses the network readable.
        case plaintext
    }

    /// Per-phase time limits, in seconds.
    public struct Timeouts: Sendable, Equatable {
        /// To establish the TCP connection (and implicit TLS). Default 120 s.
        public var connection: Double = 120
        /// From connecting to the server's 220 greeting. Default 30 s.
        public var greeting: Double = 30
        /// For each reply afterwards (the whole reply, however it is split: RFC 5321 §4.5.3.2) and
        /// the STARTTLS handshake, and as an inactivity
        /// timeout for writes: a write fails only when no byte went out for this long. Default 600 s.
        public var socket: Double = 600
        /// To resolve the host name (`dnsTimeout`). Default 30 s.
        public var dns: Double = 30
        /// For one whole send (`sendTimeout`): from the start of the operation (connecting, for
        /// a fresh connection; the health check, on a pooled one) to the reply after the data,
        /// however promptly each reply comes. nil (the default, as in Logto and nodemailer) for
        /// no overall bound: each reply still has its own deadline.
        public var send: Double?

        /// Nodemailer's defaults.
        /// - Parameters:
        ///   - connection: seconds to connect (each resolved address gets an equal share).
        ///   - greeting: seconds from connecting to the 220 greeting.
        ///   - socket: seconds of inactivity allowed on any later read or write.
        ///   - dns: seconds to resolve the host name.
        ///   - send: seconds for one whole send, nil for no overall bound.
        public init(connection: Double = 120, greeting: Double = 30, socket: Double = 600, dns: Double = 30,
                    send: Double? = nil) {
            self.connection = connection
            self.greeting = greeting
            self.socket = socket
            self.dns = dns
            self.send = send
        }
    }

    /// The server's host name or IP address.
    public var host: String
    /// The server's port. Default 587 (465 with `.implicitTLS`).
    public var port: Int
    /// How the connection is secured.
    public var security: Security
    /// Certificate checking. Default: verify against the system CAs, TLS 1.2 minimum.
    public var tls: TLSOptions
    /// The name sent with EHLO. Default: the machine's host name when it is a dotted name,
    /// else an address literal such as `[127.0.0.1]`.
    public var clientName: String?
    /// The local address to connect from.
    public var localAddress: String?
    /// A user name and password for AUTH; nil for IP-authorized relays.
    public var credentials: SMTPCredentials?
    /// OAuth2 credentials for AUTH XOAUTH2; used instead of `credentials` when set.
    public var oauth2: SMTPOAuth2?
    /// The mechanism to use; nil picks XOAUTH2 for `oauth2`, else the strongest password
    /// mechanism offered (CRAM-MD5, then PLAIN, then LOGIN).
    public var mechanism: SASLMechanism?
    /// Whether AUTH may be sent over an unencrypted connection. Default false.
    public var allowsPlaintextAuthentication: Bool
    /// Time limits.
    public var timeouts: Timeouts
    /// Where the blocking socket work runs. Default ``BlockingExecutor/shared`` (at most 64 threads).
    public var executor: BlockingExecutor = .shared
    /// Receives the SMTP dialogue with AUTH payloads redacted; nil for none.
    public var transcript: (@Sendable (TranscriptLine) -> Void)?
    /// Receives connection events (phases with their durations, TLS, AUTH mechanism, reuse,
    /// close), on the I/O thread where they happen; nil (the default) skips the bookkeeping.
    public var events: (@Sendable (SMTPConnectionEvent) -> Void)?

    /// Creates a configuration.
    /// - Parameters:
    ///   - host: the server.
    ///   - port: the port; defaults to 465 for implicit TLS, else 587.
    ///   - security: how to secure the connection (default opportunistic STARTTLS, or implicit TLS on 465).
    public init(host: String, port: Int? = nil, security: Security? = nil) {
        self.host = host
        let security = security ?? (port == 465 ? .implicitTLS : .startTLSOpportunistic)
        self.security = security
        self.port = port ?? (security == .implicitTLS ? 465 : 587)
        self.tls = TLSOptions()
        self.allowsPlaintextAuthentication = false
        self.timeouts = Timeouts()
    }

    /// Certificate checking options.
    public struct TLSOptions: Sendable, Equatable {
        /// Verify the chain and host name. Default true. Nodemailer's `tls.rejectUnauthorized`.
        public var verifyCertificate: Bool = true
        /// The name to check the certificate against and send as SNI. Default: `host`; an empty or
        /// blank name counts as not given (nodemailer's rule), never as "check no name".
        public var serverName: String?
        /// Trusted CA certificates in PEM, replacing the system store when set.
        public var trustedCertificatesPEM: String?
        /// TLS 1.2 (default) or TLS 1.3.
        public var minimumVersion: MinimumTLSVersion = .tls12

        /// Defaults: verify against the system CAs, TLS 1.2 minimum.
        public init() {}

        /// The name the certificate is checked against for a connection to `host`: ``serverName``
        /// unless it is nil, empty or blank, else `host`.
        public func nameToVerify(host: String) -> String {
            guard let serverName, !serverName.allSatisfy({ $0.isWhitespace }) else { return host }
            return serverName.trimmingCharacters(in: .whitespaces)
        }
    }

    /// The oldest TLS version accepted.
    public enum MinimumTLSVersion: String, Sendable, Equatable {
        case tls12 = "TLSv1.2"
        case tls13 = "TLSv1.3"
    }
}

/// One line of the SMTP dialogue, for debugging. Secrets are already redacted.
public struct TranscriptLine: Sendable, Equatable, CustomStringConvertible {
    /// Who sent it.
    public enum Direction: String, Sendable { case client = "C", server = "S", note = "*" }
    /// Who sent it.
    public var direction: Direction
    /// The line without CRLF.
    public var text: String
    /// `C: EHLO example.com`.
    public var description: String { "\(direction.rawValue): \(text)" }
}
