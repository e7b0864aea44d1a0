import SMTPWire

/// The step of an SMTP session, named in every error.
public enum SMTPPhase: String, Sendable, CaseIterable {
    case connect, tls, greeting, ehlo, auth, mail, rcpt, data, quit
}
