import ConnectorKit
import Foundation
import MIME
import SMTP
import SMTPWire

/// The SMTP connector's configuration: Logto's SMTP connector format (nodemailer's option names),
/// parsed and checked. Build one with ``parse(_:)``.
///
/// Defaults, documented once here and in Docs/Configuration.md:
/// - `port`: 465 when `secure` is true, else 587.
/// - `secure`: true when `port` is 465, else false (STARTTLS when offered).
/// - timeouts (milliseconds, as in nodemailer): connection 120000, greeting 30000, socket 600000.
/// - `tls.rejectUnauthorized`: true; `tls.minVersion`: TLSv1.2.
public struct SMTPConnectorConfig: Sendable, Equatable {
    /// The SMTP server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The sender, `addr` or `Name <addr>`.
    public var from: Mailbox
    /// Where replies go, if not to `from`.
    public var replyTo: Mailbox?
    /// The templates, in config order.
    public var templates: TemplateCatalog
    /// Credentials, or nil for a relay that authorizes by IP address.
    public var auth: Auth?
    /// Transport security.
    public var security: Security
    /// Certificate checking.
    public var tls: TLS
    /// The EHLO name (`name`), when set.
    public var clientName: String?
    /// The local address to connect from (`localAddress`).
    public var localAddress: String?
    /// Time limits in seconds (the JSON holds milliseconds).
    public var timeouts: Timeouts
    /// Extra headers for every message, in name order.
    public var customHeaders: [Header]
    /// Whether to report the SMTP dialogue (secrets masked) to the connector's log handler
    /// (`logger: true` or `debug: true`).
    public var logsTranscript: Bool
    /// Whether AUTH may be sent without TLS (`allowInsecureAuth`, default false).
    public var allowsInsecureAuth: Bool
    /// Whether attachments may not be read from files (`disableFileAccess`, default false).
    public var disableFileAccess: Bool
    /// DKIM signing, when configured.
    public var dkim: DKIM?
    /// Connection pooling (`pool: true`), nil for a connection per message.
    public var pool: Pool?
    /// The warm path (`keepAlive`, ms in the config; default off): without `pool`, the connection of
    /// a send stays open, authenticated, for this many seconds, and a send within that time takes it
    /// instead of connecting. Nil keeps Logto's meaning of `pool: false`: a connection per message.
    /// With `pool: true` it is the pool's idle timeout.
    public var keepAlive: Double? = nil
    /// The provider preset the config named, or whose host it uses: its reply hints explain errors.
    public var preset: Preset?

    /// Pool limits (nodemailer's names and defaults): the pool's own type, so nothing is copied
    /// field by field. `maxMessagesPerConnection` is capped by the preset's provider limit.
    public typealias Pool = SMTPPool.Limits

    /// DKIM signing settings (`dkim`), checked at load time.
    public struct DKIM: Sendable, Equatable {
        /// `domainName`, in ASCII (punycode for international names).
        public var domain: String
        /// `keySelector`.
        public var selector: String
        /// `privateKey` as PEM (a file path is read at load time). Never printed.
        public var privateKeyPEM: String
        /// `headerFieldNames` (colon-separated in JSON); nil signs the default list.
        public var headerFields: [String]?
        /// `skipFields` (colon-separated in JSON).
        public var skipFields: [String]
    }

    /// SMTP AUTH settings.
    public struct Auth: Sendable, Equatable {
        /// The user name; nil sends no AUTH.
        public var user: String?
        /// The password; never printed.
        public var password: String?
        /// `auth.method`: the SASL mechanism, when pinned (`PLAIN`, `LOGIN`, `CRAM-MD5`, `XOAUTH2`).
        public var mechanism: SASLMechanism?
        /// `auth.accessToken`: a fixed OAuth2 token; never printed.
        public var accessToken: String?
        /// Whether this is OAuth2 (XOAUTH2): `auth.type: "oauth2"`, an `accessToken` or a grant.
        public var isOAuth2: Bool
        /// How to get or refresh OAuth2 tokens, when the config says.
        var oauth: OAuth2?

        /// OAuth2 refresh settings (`expires`, `accessUrl`, the refresh grant or a service account).
        struct OAuth2: Sendable, Equatable {
            /// Google's token endpoint, nodemailer's default `accessUrl`.
            static let googleTokenEndpoint = "https://oauth2.googleapis.com/token"
            var grant: OAuth2TokenSource.Grant?
            var expires: Date?
            var endpoint: URL
        }
    }

    /// How the connection is secured (`secure`, `requireTLS`, `ignoreTLS`): the client's own type.
    public typealias Security = SMTPClientConfiguration.Security

    /// Certificate checking (`tls` object and top-level `servername`): the client's own type.
    /// `tls.rejectUnauthorized` is `verifyCertificate`, `tls.ca` is `trustedCertificatesPEM`.
    public typealias TLS = SMTPClientConfiguration.TLSOptions

    /// Time limits in seconds (the JSON holds milliseconds): the client's own type.
    public typealias Timeouts = SMTPClientConfiguration.Timeouts

    /// A custom header.
    public struct Header: Sendable, Equatable {
        /// The header name.
        public var name: String
        /// The header value (rendered as a template).
        public var value: String
    }
}
