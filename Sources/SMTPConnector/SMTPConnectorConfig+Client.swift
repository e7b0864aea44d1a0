import SMTP

extension SMTPConnectorConfig {
    /// The transport settings this configuration stands for.
    /// - Parameter transcript: receives the SMTP dialogue when `logger`/`debug` is on.
    func clientConfiguration(transcript: (@Sendable (TranscriptLine) -> Void)?) -> SMTPClientConfiguration {
        let mode: SMTPClientConfiguration.Security
        switch security {
        case .implicitTLS: mode = .implicitTLS
        case .startTLSRequired: mode = .startTLSRequired
        case .startTLSOpportunistic: mode = .startTLSOpportunistic
        case .plaintext: mode = .plaintext
        }
        var configuration = SMTPClientConfiguration(host: host, port: port, security: mode)
        configuration.tls.verifyCertificate = tls.rejectUnauthorized
        configuration.tls.serverName = tls.serverName
        configuration.tls.trustedCertificatesPEM = tls.caPEM
        configuration.tls.minimumVersion = tls.minimumVersion == "TLSv1.3" ? .tls13 : .tls12
        configuration.clientName = clientName
        configuration.localAddress = localAddress
        if let user = auth?.user, let password = auth?.password {
            configuration.credentials = SMTPCredentials(user: user, password: password)
        }
        configuration.mechanism = auth?.mechanism.flatMap(SASLMechanism.init(rawValue:))
        configuration.allowsPlaintextAuthentication = allowsInsecureAuth
        configuration.timeouts = .init(connection: timeouts.connection, greeting: timeouts.greeting, socket: timeouts.socket)
        configuration.transcript = logsTranscript ? transcript : nil
        return configuration
    }
}
