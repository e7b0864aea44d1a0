import Foundation

/// How a ``DevServer`` listens and behaves.
public struct DevServerConfiguration: Sendable {
    /// How the server offers TLS.
    public enum TLSMode: Sendable, Equatable {
        /// No TLS.
        case none
        /// STARTTLS offered after EHLO (the default).
        case startTLS
        /// TLS from the first byte (like port 465).
        case implicit
    }

    /// Faults to inject, for testing clients.
    public enum Fault: Sendable, Equatable {
        /// Accept connections but never send the 220 greeting.
        case silentGreeting
        /// Greet with `421 4.3.2 Service not available` and close (RFC 5321 §3.1): a server that
        /// refuses sessions, as one shutting down or over its connection limit does.
        case refuseGreeting
        /// Take the whole message, record it, then close the connection without the final reply:
        /// the client cannot know whether it was accepted (outcome unknown).
        case dropAfterData
        /// Answer the end of the message with `451 4.3.0` and record nothing: a clean refusal after
        /// the body.
        case deferData
    }

    /// The address to listen on. Default 127.0.0.1 (loopback only).
    public var host: String = "127.0.0.1"
    /// The port; 0 (default) picks a free one.
    public var port: Int = 0
    /// TLS offering. Default `.startTLS`.
    public var tls: TLSMode = .startTLS
    /// Users allowed to AUTH (PLAIN, LOGIN, CRAM-MD5), name to password.
    public var users: [String: String] = [:]
    /// Users allowed to AUTH XOAUTH2, name to access token.
    public var oauthTokens: [String: String] = [:]
    /// Whether MAIL is refused before AUTH. Default: true when `users` or `oauthTokens` is not empty.
    public var requiresAuthentication: Bool?
    /// Whether AUTH is offered before TLS when TLS is available. Default false (like Postfix's
    /// `smtpd_tls_auth_only = yes`).
    public var allowsAuthenticationWithoutTLS: Bool = false
    /// Where to also write each message as a `.eml` file, if anywhere.
    public var saveDirectory: URL?
    /// The largest message accepted, in octets (advertised with SIZE). Default 50 MB.
    public var maximumMessageSize: Int = 50_000_000
    /// The host name in the greeting and EHLO reply.
    public var serverName: String = "devserver.localhost"
    /// The certificate to present; a fresh self-signed one when nil.
    public var certificate: SelfSignedCertificate?
    /// Faults to inject.
    public var faults: [Fault] = []
    /// A pause before every reply, in seconds (default 0): a slow server, for timing tests.
    public var replyDelay: Double = 0
    /// Whether sessions wait with their greeting until ``DevServer/releaseGreetings()``: lets a
    /// test hold many clients in the greeting phase at once, without a timer.
    public var holdGreetings: Bool = false
    /// Senders MAIL FROM accepts; nil (the default) accepts any. Others get `553 5.7.1`.
    public var allowedSenders: Set<String>?
    /// How long a connection may sit idle before the server drops it. Default 60 s.
    public var idleTimeout: Double = 60
    /// The most sessions served at once; a client past it is greeted with 421 and disconnected
    /// (RFC 5321 §3.1), instead of waiting for a thread while holding a descriptor.
    public var maxConnections: Int = 256
    /// Recipients one message may have; RCPT past it is answered `452 4.5.3` (RFC 5321 §4.5.3.1.10).
    /// Default 100.
    public var maxRecipients: Int = 100
    /// Seconds one session may last, whatever it does; then `421 4.4.2` and the connection ends.
    /// Default 600.
    public var maxSessionDuration: Double = 600
    /// Captured messages kept in memory, newest first; older ones are kept only on disk (with
    /// ``saveDirectory``). Default 1,000.
    public var maxKeptMessages: Int = 1_000
    /// Octets of captured messages kept in memory together; older ones are dropped first.
    /// Default 64 MiB.
    public var maxKeptBytes: Int = 64 << 20

    /// Defaults: loopback, a free port, STARTTLS with a self-signed certificate, no AUTH.
    public init() {}
}

/// A message the DevServer received.
public struct ReceivedMessage: Sendable, Equatable {
    /// Its number on this server, counting from 1 in arrival order (stable after removals).
    public var id: Int = 0
    /// When its final dot arrived.
    public var receivedAt = Date()
    /// The SMTP session that carried it, one line per command or reply (`C: `, `S: `, `* ` for
    /// notes such as the TLS handshake): the session's opening up to its first MAIL, then this
    /// message's own transaction. AUTH exchanges are masked.
    public var transcript: [String] = []
    /// MAIL FROM.
    public var from: String
    /// Every accepted RCPT TO.
    public var recipients: [String]
    /// The message as received: dot-stuffing removed, CRLF line endings.
    public var data: [UInt8]
    /// The user who authenticated, if any.
    public var authenticatedUser: String?
    /// The TLS version in use, if any.
    public var tlsVersion: String?

    /// Creates a record of a received message.
    /// - Parameters:
    ///   - from: MAIL FROM.
    ///   - recipients: every accepted RCPT TO.
    ///   - data: the message, dot-stuffing removed, CRLF line endings.
    ///   - authenticatedUser: the user who authenticated, if any.
    ///   - tlsVersion: the TLS version in use, if any.
    ///   - transcript: the session's lines, AUTH masked.
    public init(from: String, recipients: [String], data: [UInt8], authenticatedUser: String? = nil,
                tlsVersion: String? = nil, transcript: [String] = []) {
        self.from = from
        self.recipients = recipients
        self.data = data
        self.authenticatedUser = authenticatedUser
        self.tlsVersion = tlsVersion
        self.transcript = transcript
    }

    /// The message as UTF-8 text.
    public var text: String { String(decoding: data, as: UTF8.self) }

    /// The value of the first header named `name` (case-insensitive), unfolded.
    public func header(_ name: String) -> String? {
        let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
        let unfolded = head.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: "\t")
        for line in unfolded.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name.lowercased() {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
