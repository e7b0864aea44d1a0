/// AUTH (RFC 4954) with the mechanisms in ``SASLMechanism``.
extension SMTPSession {
    func authenticate(_ credentials: SMTPCredentials) throws {
        guard stream?.isSecure == true || configuration.allowsPlaintextAuthentication else {
            throw SMTPError(.authentication, phase: .auth,
                            "refusing to send credentials over an unencrypted connection",
                            hint: "Use secure: true (port 465) or a server that offers STARTTLS; set allowInsecureAuth: true only for a trusted local relay.")
        }
        let offered = extensions.authMechanisms
        guard !offered.isEmpty else {
            throw SMTPError(.authentication, phase: .auth, "the server offers no AUTH mechanism",
                            hint: "Remove `auth` if this relay authorizes by IP address; otherwise check the port (submission is usually 587 or 465).")
        }
        let mechanism: SASLMechanism
        if let wanted = configuration.mechanism {
            guard offered.contains(wanted.rawValue) else {
                throw SMTPError(.authentication, phase: .auth,
                                "the server does not offer AUTH \(wanted.rawValue); it offers \(offered.sorted().joined(separator: ", "))",
                                hint: "Change auth.type or leave it out to use the strongest offered mechanism.")
            }
            mechanism = wanted
        } else {
            guard let best = SASLMechanism.preference.first(where: { offered.contains($0.rawValue) }) else {
                throw SMTPError(.authentication, phase: .auth,
                                "no supported AUTH mechanism is offered (server offers \(offered.sorted().joined(separator: ", ")))",
                                hint: "This client supports \(SASLMechanism.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            mechanism = best
        }
        let reply: SMTPReply
        switch mechanism {
        case .plain: reply = try authPlain(credentials)
        case .login: reply = try authLogin(credentials)
        }
        guard reply.code == 235 else { throw authFailure(reply) }
        authenticatedWith = mechanism
    }

    private func authPlain(_ credentials: SMTPCredentials) throws -> SMTPReply {
        let response = SASLMechanism.plainResponse(credentials)
        // RFC 4954 §4: a command line is at most 512 octets; a longer initial response waits for 334.
        if ("AUTH PLAIN " + response).utf8.count + 2 <= 512 {
            return try exchange(.auth(mechanism: "PLAIN", initialResponse: response), phase: .auth)
        }
        let challenge = try exchange(.auth(mechanism: "PLAIN", initialResponse: nil), phase: .auth)
        guard challenge.code == 334 else { return challenge }
        return try exchange(.authResponse(response), phase: .auth)
    }

    private func authLogin(_ credentials: SMTPCredentials) throws -> SMTPReply {
        let first = try exchange(.auth(mechanism: "LOGIN", initialResponse: nil), phase: .auth)
        guard first.code == 334 else { return first }
        let second = try exchange(.authResponse(SASLMechanism.base64(credentials.user)), phase: .auth)
        guard second.code == 334 else { return second }
        return try exchange(.authResponse(SASLMechanism.base64(credentials.password)), phase: .auth)
    }

    private func authFailure(_ reply: SMTPReply) -> SMTPError {
        var hint = "Check auth.user and auth.pass."
        if reply.code == 535 || reply.enhancedCode == "5.7.8" {
            hint = "The server rejected the user name or password. Check auth.user and auth.pass; some providers need an app password or an API key instead of the account password."
        } else if reply.code == 534 || reply.enhancedCode == "5.7.9" {
            hint = "The provider requires a stronger sign-in: an app-specific password or OAuth2."
        } else if reply.code == 538 {
            hint = "The server requires TLS before AUTH: use secure: true or STARTTLS."
        } else if reply.isTransient {
            hint = "A temporary authentication failure; try again later."
        }
        return SMTPError(.authentication, phase: .auth, "authentication failed", reply: reply, hint: hint)
    }
}
