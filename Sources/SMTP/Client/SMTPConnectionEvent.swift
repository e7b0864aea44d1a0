import SMTPWire

/// Something that happened on an SMTP connection, reported to
/// ``SMTPClientConfiguration/events`` for a host's logs and metrics. Carries no secret and no
/// message content.
public enum SMTPConnectionEvent: Sendable, Equatable {
    /// A phase ended, successfully or not, after `seconds`. `connect` covers DNS and TCP.
    case phaseFinished(SMTPPhase, seconds: Double, ok: Bool)
    /// The TLS handshake succeeded.
    case tlsEstablished(version: String, cipher: String?, resumed: Bool)
    /// AUTH is about to run with this mechanism.
    case authMechanismChosen(SASLMechanism)
    /// The connection is greeted, secured and authenticated, `seconds` after connecting began.
    case opened(seconds: Double)
    /// A pooled connection that sat idle `idleSeconds` takes another message.
    case reused(idleSeconds: Double)
    /// The connection ended: with QUIT when `quit`, after `messages` delivered messages.
    case closed(quit: Bool, messages: Int)
    /// A message that failed on a reused connection before any of its data was sent is tried
    /// again on another one.
    case retried(reason: String)
}
