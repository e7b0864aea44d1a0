import ConnectorKit

extension SMTPConnector {
    /// Every key the `smtp` config accepts, grouped as the console shows them (Docs/Configuration.md
    /// describes each). json-typed items (tls, templates, customHeaders, dkim) are edited whole.
    static let formItems: [ConnectorMetadata.FormItem] = server + security + auth + sender + templates + advanced

    private typealias Item = ConnectorMetadata.FormItem

    private static let server: [Item] = [
        Item(key: "host", label: "SMTP host", group: .server, placeholder: "smtp.example.com", required: true),
        Item(key: "port", label: "Port", type: .number, group: .server, placeholder: "587",
             description: "465 when implicit TLS is on, else 587."),
        Item(key: "secure", label: "Implicit TLS (port 465)", type: .switch, group: .server, defaultValue: false,
             description: "TLS from the first byte (RFC 8314). Off: STARTTLS when the server offers it."),
        Item(key: "name", label: "EHLO name", group: .server, placeholder: "mailer.example.com",
             description: "This machine's host name by default."),
        Item(key: "localAddress", label: "Local address", group: .server, description: "The local IP to connect from."),
    ]

    private static let security: [Item] = [
        Item(key: "requireTLS", label: "Require STARTTLS", type: .switch, group: .security, defaultValue: false,
             description: "Refuse to go on when the server does not offer STARTTLS."),
        Item(key: "ignoreTLS", label: "Never use TLS", type: .switch, group: .security, defaultValue: false),
        Item(key: "tls.rejectUnauthorized", label: "Verify the certificate", type: .switch, group: .security, defaultValue: true,
             description: "Off accepts any certificate: anyone on the path can read the password."),
        Item(key: "tls.servername", label: "Certificate name", group: .security,
             description: "The name the certificate must be valid for; the host by default."),
        Item(key: "tls.minVersion", label: "Oldest TLS version", type: .select, group: .security, defaultValue: "TLSv1.2",
             options: [.init("TLSv1.2", title: "TLS 1.2"), .init("TLSv1.3", title: "TLS 1.3")]),
        Item(key: "tls.ca", label: "Trusted CA (PEM)", type: .multilineText, group: .security,
             placeholder: "-----BEGIN CERTIFICATE-----", description: "Replaces the system CA store."),
    ]

    private static let oauth2: [ConnectorMetadata.FormItem.Condition] = [.init(key: "auth.type", equals: "oauth2")]

    private static let auth: [Item] = [
        Item(key: "auth.type", label: "Authentication", type: .select, group: .auth, defaultValue: "login",
             options: [.init("login", title: "Password"), .init("oauth2", title: "OAuth2 (XOAUTH2)")]),
        Item(key: "auth.user", label: "User name", group: .auth),
        Item(key: "auth.pass", label: "Password", group: .auth, confidential: true,
             showWhen: [.init(key: "auth.type", equals: "login")]),
        Item(key: "auth.method", label: "SASL mechanism", type: .select, group: .auth,
             options: ["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"].map { .init(.string($0), title: $0) },
             description: "The strongest offered by default."),
        Item(key: "auth.accessToken", label: "Access token", group: .auth, confidential: true, showWhen: oauth2),
        Item(key: "auth.expires", label: "Token expiry (ms since 1970)", type: .number, group: .auth, showWhen: oauth2),
        Item(key: "auth.clientId", label: "Client ID", group: .auth, confidential: true, showWhen: oauth2),
        Item(key: "auth.clientSecret", label: "Client secret", group: .auth, confidential: true, showWhen: oauth2),
        Item(key: "auth.refreshToken", label: "Refresh token", group: .auth, confidential: true, showWhen: oauth2),
        Item(key: "auth.serviceClient", label: "Service account client", group: .auth, confidential: true, showWhen: oauth2),
        Item(key: "auth.privateKey", label: "Service account key (PEM)", type: .multilineText, group: .auth,
             confidential: true, showWhen: oauth2),
        Item(key: "auth.accessUrl", label: "Token endpoint", group: .auth,
             placeholder: "https://oauth2.googleapis.com/token", confidential: true, showWhen: oauth2),
        Item(key: "allowInsecureAuth", label: "Allow AUTH without TLS", type: .switch, group: .auth, defaultValue: false,
             description: "Only for a trusted local relay."),
    ]

    private static let sender: [Item] = [
        Item(key: "fromEmail", label: "From", group: .sender, placeholder: "Acme <no-reply@acme.com>", required: true),
        Item(key: "replyTo", label: "Reply-To", group: .sender),
    ]

    private static let templates: [Item] = [
        Item(key: "templates", label: "Templates", type: .json, group: .templates, required: true,
             description: "usageType, contentType, subject and content for each; see Docs/Configuration.md."),
    ]

    private static let pooled: [ConnectorMetadata.FormItem.Condition] = [.init(key: "pool", equals: true)]

    private static let advanced: [Item] = [
        Item(key: "connectionTimeout", label: "Connection timeout (ms)", type: .number, defaultValue: 120_000),
        Item(key: "greetingTimeout", label: "Greeting timeout (ms)", type: .number, defaultValue: 30_000),
        Item(key: "socketTimeout", label: "Socket timeout (ms)", type: .number, defaultValue: 600_000),
        Item(key: "dnsTimeout", label: "DNS timeout (ms)", type: .number, defaultValue: 30_000),
        Item(key: "sendTimeout", label: "Send timeout (ms, optional)", type: .number),
        Item(key: "pool", label: "Keep connections open", type: .switch, defaultValue: false),
        Item(key: "keepAlive", label: "Keep the last connection warm (ms, optional)", type: .number,
             description: "Without pool: a send within this time reuses the previous send's connection (no TCP, TLS or AUTH)."),
        Item(key: "maxConnections", label: "Connections", type: .number, defaultValue: 5, showWhen: pooled),
        Item(key: "maxMessages", label: "Messages per connection", type: .number, defaultValue: 100, showWhen: pooled),
        Item(key: "rateLimit", label: "Messages per window", type: .number, showWhen: pooled),
        Item(key: "rateDelta", label: "Rate window (ms)", type: .number, defaultValue: 1000, showWhen: pooled),
        Item(key: "customHeaders", label: "Custom headers", type: .json, placeholder: #"{"X-Entity-Ref-ID": "logto"}"#),
        Item(key: "dkim", label: "DKIM signing", type: .json, confidential: true,
             description: "domainName, keySelector and privateKey."),
        Item(key: "disableFileAccess", label: "Never read files", type: .switch, defaultValue: false),
        Item(key: "logger", label: "Log the SMTP dialogue", type: .switch, defaultValue: false),
        Item(key: "debug", label: "Debug", type: .switch, defaultValue: false),
    ]
}
