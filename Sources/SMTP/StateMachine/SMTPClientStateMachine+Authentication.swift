import Foundation
import SMTPWire

/// AUTH (RFC 4954): when to authenticate, which mechanism, and what a refusal means.
extension SMTPClientStateMachine {
    /// Starts AUTH when the configuration carries credentials; otherwise the connection is open.
    mutating func beginAuthentication() -> Action {
        let user: String
        if let oauth2 = configuration.oauth2 {
            user = oauth2.user
        } else if let credentials = configuration.credentials {
            user = credentials.user
        } else {
            return opened()
        }
        phase = .auth
        guard !user.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return failQuitting(SMTPError(.invalidInput, phase: .auth, "auth.user contains a control character (CR, LF, NUL or similar)",
                                          hint: "Remove it: it would corrupt the AUTH exchange."))
        }
        if configuration.oauth2 == nil, configuration.credentials?.password.unicodeScalars.contains("\0") == true {
            return failQuitting(SMTPError(.invalidInput, phase: .auth, "auth.pass contains a NUL character, which SASL cannot carry"))
        }
        guard tlsVersion != nil || configuration.allowsPlaintextAuthentication else {
            return failQuitting(SMTPError(.authentication, phase: .auth, "refusing to send credentials over an unencrypted connection",
                                          hint: "Use secure: true (port 465) or a server that offers STARTTLS; set allowInsecureAuth: true only for a trusted local relay."))
        }
        let mechanism: SASLMechanism
        switch chooseMechanism() {
        case .success(let chosen): mechanism = chosen
        case .failure(let error): return failQuitting(error)
        }
        authMechanism = mechanism
        var sasl: SASLClient
        if let oauth2 = configuration.oauth2 {
            guard mechanism == .xoauth2, let token = oauthToken else {
                return failQuitting(SMTPError(.authentication, phase: .auth, "AUTH \(mechanism.rawValue) needs OAuth2 credentials (auth.accessToken)"))
            }
            sasl = SASLClient(user: oauth2.user, token: token)
        } else if let credentials = configuration.credentials, mechanism != .xoauth2 {
            sasl = SASLClient(mechanism, credentials: credentials)
        } else {
            return failQuitting(SMTPError(.authentication, phase: .auth, "AUTH XOAUTH2 needs OAuth2 credentials (auth.accessToken)"))
        }
        let command = sasl.start()
        if let (transaction, commands) = transactionBehindAuthentication(sasl) {
            state = .authenticating(sasl, pipelined: transaction)
            return sendCommands([command] + commands)
        }
        state = .authenticating(sasl, pipelined: nil)
        return sendCommands([command])
    }

    /// The pinned mechanism if offered; else XOAUTH2 for OAuth2, else the password mechanism that
    /// reveals least (CRAM-MD5, PLAIN, LOGIN).
    private func chooseMechanism() -> Result<SASLMechanism, SMTPError> {
        let offered = extensions.authMechanisms
        guard !offered.isEmpty else {
            return .failure(SMTPError(.authentication, phase: .auth, "the server offers no AUTH mechanism",
                                      hint: "Remove `auth` if this relay authorizes by IP address; otherwise check the port (submission is usually 587 or 465)."))
        }
        let offeredList = offered.sorted().joined(separator: ", ")
        if let wanted = configuration.mechanism ?? (configuration.oauth2 != nil ? .xoauth2 : nil) {
            guard offered.contains(wanted.rawValue) else {
                return .failure(SMTPError(.authentication, phase: .auth, "the server does not offer AUTH \(wanted.rawValue); it offers \(offeredList)",
                                          hint: wanted == .xoauth2 ? "This server does not take OAuth2 tokens over SMTP; use a password or app password."
                                              : "Change auth.method or leave it out to use the strongest offered mechanism."))
            }
            return .success(wanted)
        }
        guard let best = SASLMechanism.passwordPreference.first(where: { offered.contains($0.rawValue) }) else {
            return .failure(SMTPError(.authentication, phase: .auth, "no supported AUTH mechanism is offered (server offers \(offeredList))",
                                      hint: "This client supports \(SASLMechanism.allCases.map(\.rawValue).joined(separator: ", "))."))
        }
        return .success(best)
    }

    /// The SASL machine's next step.
    mutating func authenticationStep(_ action: SASLClient.Action, sasl: SASLClient) -> Action {
        switch action {
        case .send(let command):
            state = .authenticating(sasl, pipelined: nil)
            return sendCommands([command])
        case .succeeded:
            authenticatedWith = sasl.mechanism
            return opened()
        case .failed(let reply, let detail):
            var error = Self.authFailure(reply, mechanism: sasl.mechanism)
            if let detail { error.message = "the OAuth2 token was refused: \(detail)" }
            return failQuitting(error)
        case .invalidChallenge(let challenge):
            return failQuitting(SMTPError(.protocolViolation, phase: .auth, "the CRAM-MD5 challenge is not valid base64", reply: challenge))
        }
    }

    /// A refused AUTH with the most likely fix.
    static func authFailure(_ reply: SMTPReply, mechanism: SASLMechanism) -> SMTPError {
        var hint = "Check auth.user and auth.pass."
        if reply.code == 535 || reply.enhancedCode == "5.7.8" {
            hint = mechanism == .xoauth2
                ? "The access token is invalid, expired or lacks the SMTP scope. Give auth.refreshToken (with auth.clientId and auth.clientSecret) so the connector renews it, or a fresh auth.accessToken."
                : "The server rejected the user name or password. Check auth.user and auth.pass; some providers need an app password or an API key instead of the account password."
            if mechanism == .cramMD5 {
                hint += " Servers that store only password hashes cannot check CRAM-MD5: set auth.method to PLAIN."
            }
        } else if reply.code == 534 || reply.enhancedCode == "5.7.9" {
            hint = "The provider requires a stronger sign-in: an app-specific password or OAuth2."
        } else if reply.code == 538 || reply.enhancedCode == "5.7.11" {
            hint = "The server requires TLS before AUTH: use secure: true or STARTTLS."
        } else if reply.code == 504 {
            hint = "The server does not accept AUTH \(mechanism.rawValue); set auth.method to another mechanism it offers."
        } else if reply.isTransient {
            hint = "A temporary authentication failure; try again later."
        }
        return SMTPError(.authentication, phase: .auth, "authentication with \(mechanism.rawValue) failed", reply: reply, hint: hint)
    }
}
