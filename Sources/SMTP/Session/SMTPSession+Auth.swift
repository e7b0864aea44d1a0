import SMTPWire
import Foundation

/// AUTH (RFC 4954) with the mechanisms in ``SASLMechanism``.
extension SMTPSession {
    /// Authenticates when the configuration carries credentials; does nothing otherwise.
    func authenticateIfConfigured() throws {
        if let oauth2 = configuration.oauth2 {
            try authenticate(user: oauth2.user) { mechanism in
                guard mechanism == .xoauth2, let token = oauthToken else { return nil }
                return try authXOAUTH2(user: oauth2.user, token: token)
            }
        } else if let credentials = configuration.credentials {
            try authenticate(user: credentials.user) { mechanism in
                try authWithPassword(credentials, mechanism: mechanism)
            }
        }
    }

    private func authenticate(user: String, _ run: (SASLMechanism) throws -> SMTPReply?) throws {
        guard !user.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw SMTPError(.invalidInput, phase: .auth, "auth.user contains a control character (CR, LF, NUL or similar)",
                            hint: "Remove it: it would corrupt the AUTH exchange.")
        }
        if configuration.credentials?.password.unicodeScalars.contains("\0") == true, configuration.oauth2 == nil {
            throw SMTPError(.invalidInput, phase: .auth, "auth.pass contains a NUL character, which SASL cannot carry")
        }
        guard stream?.isSecure == true || configuration.allowsPlaintextAuthentication else {
            throw SMTPError(.authentication, phase: .auth,
                            "refusing to send credentials over an unencrypted connection",
                            hint: "Use secure: true (port 465) or a server that offers STARTTLS; set allowInsecureAuth: true only for a trusted local relay.")
        }
        let mechanism = try chooseMechanism()
        guard let reply = try run(mechanism) else {
            throw SMTPError(.authentication, phase: .auth, "AUTH \(mechanism.rawValue) needs OAuth2 credentials (auth.accessToken)")
        }
        guard reply.code == 235 else { throw authFailure(reply, mechanism: mechanism) }
        authenticatedWith = mechanism
    }

    private func chooseMechanism() throws -> SASLMechanism {
        let offered = extensions.authMechanisms
        guard !offered.isEmpty else {
            throw SMTPError(.authentication, phase: .auth, "the server offers no AUTH mechanism",
                            hint: "Remove `auth` if this relay authorizes by IP address; otherwise check the port (submission is usually 587 or 465).")
        }
        let offeredList = offered.sorted().joined(separator: ", ")
        let wanted = configuration.mechanism ?? (configuration.oauth2 != nil ? .xoauth2 : nil)
        if let wanted {
            guard offered.contains(wanted.rawValue) else {
                throw SMTPError(.authentication, phase: .auth,
                                "the server does not offer AUTH \(wanted.rawValue); it offers \(offeredList)",
                                hint: wanted == .xoauth2 ? "This server does not take OAuth2 tokens over SMTP; use a password or app password."
                                    : "Change auth.method or leave it out to use the strongest offered mechanism.")
            }
            return wanted
        }
        guard let best = SASLMechanism.passwordPreference.first(where: { offered.contains($0.rawValue) }) else {
            throw SMTPError(.authentication, phase: .auth, "no supported AUTH mechanism is offered (server offers \(offeredList))",
                            hint: "This client supports \(SASLMechanism.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return best
    }

    private func authWithPassword(_ credentials: SMTPCredentials, mechanism: SASLMechanism) throws -> SMTPReply? {
        switch mechanism {
        case .plain:
            return try authWithInitialResponse("PLAIN", SASLMechanism.plainResponse(credentials))
        case .login:
            let first = try exchange(.auth(mechanism: "LOGIN", initialResponse: nil), phase: .auth)
            guard first.code == 334 else { return first }
            let second = try exchange(.authResponse(SASLMechanism.base64(credentials.user)), phase: .auth)
            guard second.code == 334 else { return second }
            return try exchange(.authResponse(SASLMechanism.base64(credentials.password)), phase: .auth)
        case .cramMD5:
            let challenge = try exchange(.auth(mechanism: "CRAM-MD5", initialResponse: nil), phase: .auth)
            guard challenge.code == 334 else { return challenge }
            guard let response = SASLMechanism.cramMD5Response(credentials, challenge: challenge.text) else {
                _ = try? exchange(.authResponse("*"), phase: .auth)  // RFC 4954 §4: "*" cancels
                throw SMTPError(.protocolViolation, phase: .auth, "the CRAM-MD5 challenge is not valid base64", reply: challenge)
            }
            return try exchange(.authResponse(response), phase: .auth)
        case .xoauth2:
            return nil
        }
    }

    private func authXOAUTH2(user: String, token: String) throws -> SMTPReply {
        let reply = try authWithInitialResponse("XOAUTH2", SASLMechanism.xoauth2Response(user: user, token: token))
        guard reply.code == 334 else { return reply }
        // The server explains the failure in a base64 JSON challenge; an empty answer makes it send
        // the final error reply (Google's XOAUTH2 protocol).
        let detail = Data(base64Encoded: reply.text).map { String(decoding: $0, as: UTF8.self) } ?? reply.text
        let final = try exchange(.authResponse(""), phase: .auth)
        var failure = authFailure(final, mechanism: .xoauth2)
        failure.message = "the OAuth2 token was refused: \(detail)"
        throw failure
    }

    /// `AUTH MECH response`, or, when that line would pass 512 octets (RFC 4954 §4, RFC 5321
    /// §4.5.3.1.4), `AUTH MECH` alone and the response after the empty 334 challenge.
    private func authWithInitialResponse(_ mechanism: String, _ response: String) throws -> SMTPReply {
        if "AUTH \(mechanism) \(response)\r\n".utf8.count <= 512 {
            return try exchange(.auth(mechanism: mechanism, initialResponse: response), phase: .auth)
        }
        let challenge = try exchange(.auth(mechanism: mechanism, initialResponse: nil), phase: .auth)
        guard challenge.code == 334 else { return challenge }
        return try exchange(.authResponse(response), phase: .auth)
    }

    private func authFailure(_ reply: SMTPReply, mechanism: SASLMechanism) -> SMTPError {
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
