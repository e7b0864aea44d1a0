import SMTPWire
import NetworkIO

/// Sends messages to one SMTP server.
///
/// Each `send` opens a connection, delivers, and quits. The blocking socket and TLS work runs on a
/// dedicated thread; cancelling the calling Task closes the socket and fails the send promptly.
///
/// ```swift
/// var configuration = SMTPClientConfiguration(host: "smtp.example.com", port: 587, security: .startTLSRequired)
/// configuration.credentials = SMTPCredentials(user: "mailer", password: secret)
/// let client = try SMTPClient(configuration: configuration)
/// let result = try await client.send(envelope: SMTPEnvelope(from: "app@example.com", recipients: ["ada@example.org"]),
///                                    message: bytes)
/// ```
public struct SMTPClient: Sendable {
    /// The configuration every send uses.
    public let configuration: SMTPClientConfiguration
    let tlsContext: TLSContext?

    /// Creates a client; loads TLS trust settings once.
    /// - Throws: ``SMTPError`` of kind `tls` when `tls.trustedCertificatesPEM` does not load.
    public init(configuration: SMTPClientConfiguration) throws {
        self.configuration = configuration
        // Servers answer 501 to a non-ASCII or spaced EHLO name; refuse it before connecting.
        if let name = configuration.clientName,
           name.isEmpty || !name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) {
            throw SMTPError(.invalidInput, phase: .ehlo, "the EHLO name \(name.debugDescription) must be printable ASCII without spaces",
                            hint: "Set `name` to this machine's fully qualified domain name (an international name in punycode, xn--...), or leave it out.")
        }
        guard configuration.security != .plaintext else {
            tlsContext = nil
            return
        }
        do {
            let version: TLSConfiguration.MinimumVersion = configuration.tls.minimumVersion == .tls13 ? .tls13 : .tls12
            tlsContext = try TLSContext(.client(verifyPeer: configuration.tls.verifyCertificate,
                                                trustedCertificatesPEM: configuration.tls.trustedCertificatesPEM,
                                                minimumVersion: version))
        } catch let error as NetworkError {
            throw SMTPError(.tls, phase: .tls, error.message, hint: "Check tls.ca: it must hold PEM certificates.")
        }
    }

    /// Connects, delivers `message` to the envelope's recipients, and quits.
    /// - Parameters:
    ///   - envelope: MAIL FROM and RCPT TO addresses.
    ///   - message: the RFC 5322 message; any line endings, normalized to CRLF and dot-stuffed here.
    /// - Returns: accepted and rejected recipients and the server's final reply.
    /// - Throws: ``SMTPError``; check ``SMTPError/outcomeUnknown`` before any retry.
    public func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
        let session = try await makeSession()
        return try await DedicatedThread.run(name: "smtp-send", handle: session.cancellation) {
            try envelope.validate()
            return try session.closing { try session.send(envelope: envelope, message: message) }
        }
    }

    /// Connects, greets, secures and authenticates, then quits: checks a configuration without
    /// sending anything.
    public func verify() async throws {
        let session = try await makeSession()
        try await DedicatedThread.run(name: "smtp-verify", handle: session.cancellation) {
            try session.closing {}
        }
    }

    /// A session with a fresh OAuth2 token when XOAUTH2 is configured.
    func makeSession() async throws -> SMTPSession {
        var token: String?
        if let oauth2 = configuration.oauth2 {
            do {
                token = try await oauth2.accessToken()
            } catch let error as SMTPError {
                throw error  // the provider already said what failed and how to fix it
            } catch {
                throw SMTPError(.authentication, phase: .auth, "could not get an OAuth2 access token: \(error)",
                                hint: "Check the token provider or auth.accessToken.")
            }
        }
        return SMTPSession(configuration: configuration, tlsContext: tlsContext, cancellation: CancellationHandle(),
                           oauthToken: token)
    }
}
