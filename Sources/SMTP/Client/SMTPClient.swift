import SMTPWire
import Foundation
import NetworkIO

/// Sends messages to one SMTP server.
///
/// Each `send` opens a connection, delivers, and quits. The blocking socket and TLS work runs on the
/// configuration's ``BlockingExecutor`` (never Swift's cooperative pool, never a thread per send);
/// cancelling the calling Task shuts the socket down and fails the send promptly, in any phase.
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
    /// The EHLO name when the configuration has none: this machine's host name, when it is a
    /// dotted name (an address literal is used otherwise).
    let hostName: String?

    /// Creates a client; loads TLS trust settings once.
    /// - Throws: ``SMTPError`` of kind `tls` when `tls.trustedCertificatesPEM` does not load.
    public init(configuration: SMTPClientConfiguration) throws {
        self.configuration = configuration
        let name = ProcessInfo.processInfo.hostName
        hostName = name.contains(".") && name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 }) && !name.hasSuffix(".localdomain")
            ? name : nil
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
        try envelope.validate()  // before connecting: nothing to gain from a connection
        let token = CancellationToken()
        let oauthToken = try await fetchOAuthToken()
        let configuration = self.configuration, tlsContext = self.tlsContext, hostName = self.hostName
        let oneMessage = SMTPClientStateMachine.OneMessage(envelope: envelope, message: message)
        return try await SMTPConnection.onExecutor(configuration.executor, token: token) {
            try SMTPConnection.deliver(oneMessage, configuration: configuration, tlsContext: tlsContext,
                                       hostName: hostName, oauthToken: oauthToken, token: token)
        }
    }

    /// Connects, greets, secures and authenticates, then quits: checks a configuration without
    /// sending anything.
    public func verify() async throws {
        try await withConnection { _ in }
    }

    /// Opens a connection on the executor, runs `body` on it there, and ends it (QUIT when the
    /// session is in sync, else at once). The Task's cancellation shuts the socket down.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (SMTPConnection) throws -> T) async throws -> T {
        let token = CancellationToken()
        let oauthToken = try await fetchOAuthToken()
        let configuration = self.configuration, tlsContext = self.tlsContext, hostName = self.hostName
        return try await SMTPConnection.onExecutor(configuration.executor, token: token) {
            let connection = try SMTPConnection.open(configuration: configuration, tlsContext: tlsContext,
                                                     hostName: hostName, oauthToken: oauthToken, token: token)
            defer { connection.quit() }
            return try body(connection)
        }
    }

    /// A fresh OAuth2 token when XOAUTH2 is configured.
    func fetchOAuthToken() async throws -> String? {
        guard let oauth2 = configuration.oauth2 else { return nil }
        do {
            return try await oauth2.accessToken()
        } catch let error as SMTPError {
            throw error  // the provider already said what failed and how to fix it
        } catch {
            throw SMTPError(.authentication, phase: .auth, "could not get an OAuth2 access token: \(error)",
                            hint: "Check the token provider or auth.accessToken.")
        }
    }
}
