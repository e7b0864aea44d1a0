import SMTP
import SMTPWire

extension SMTPConnectorConfig {
    /// The transport settings this configuration stands for.
    /// - Parameter transcript: receives the SMTP dialogue when `logger`/`debug` is on.
    /// - Parameter tokenProvider: the host's source of OAuth2 tokens, asked with the user name when
    ///   the config has OAuth2 credentials without a fixed `accessToken`.
    /// - Parameter events: where connection events and token refreshes are reported.
    func clientConfiguration(transcript: (@Sendable (TranscriptLine) -> Void)?,
                             tokenProvider: (@Sendable (String) async throws -> String)? = nil,
                             events: SMTPEventReporter? = nil) -> SMTPClientConfiguration {
        var configuration = SMTPClientConfiguration(host: host, port: port, security: security)
        configuration.tls = tls
        configuration.clientName = clientName
        configuration.localAddress = localAddress
        if let auth, auth.isOAuth2, let user = auth.user {
            if let oauth = auth.oauth {
                let source = OAuth2TokenSource(user: user, accessToken: auth.accessToken, expires: oauth.expires,
                                               grant: oauth.grant, endpoint: oauth.endpoint,
                                               onRefresh: events.map { reporter in reporter.tokenRefreshed })
                configuration.oauth2 = SMTPOAuth2(user: user, accessToken: { try await source.currentToken() })
            } else if let token = auth.accessToken {
                configuration.oauth2 = SMTPOAuth2(user: user, token: token)
            } else if let tokenProvider {
                configuration.oauth2 = SMTPOAuth2(user: user, accessToken: { try await tokenProvider(user) })
            }
        } else if let user = auth?.user, let password = auth?.password {
            configuration.credentials = SMTPCredentials(user: user, password: password)
        }
        configuration.mechanism = auth?.mechanism
        configuration.allowsPlaintextAuthentication = allowsInsecureAuth
        configuration.timeouts = timeouts
        configuration.transcript = logsTranscript ? transcript : nil
        configuration.events = events?.transportHook
        return configuration
    }
}

extension SMTPConnectorConfig {
    /// The pool behind the warm path (``keepAlive`` without ``pool``): as many connections as the
    /// executor runs sends at once (so it limits nothing a connection per message would not),
    /// each kept for `keepAlive` seconds after its send. No NOOP before reuse inside that time: a
    /// server that hung up meanwhile makes the pool retry on a new connection before any data.
    func warmLimits(connections: Int) -> Pool? {
        guard let keepAlive else { return nil }
        var limits = Pool(maxConnections: connections, idleTimeout: keepAlive, healthCheckAfter: keepAlive)
        if let providerLimit = preset?.limits.messagesPerConnection {
            limits.maxMessagesPerConnection = min(limits.maxMessagesPerConnection, providerLimit)
        }
        return limits
    }
}
