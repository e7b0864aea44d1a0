import SMTPWire

/// Something that delivers messages over SMTP: a ``SMTPClient`` (a connection per message) or an
/// ``SMTPPool`` (connections kept open and reused).
public protocol SMTPTransport: Sendable {
    /// Delivers `message` to the envelope's recipients.
    func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult
}

extension SMTPClient: SMTPTransport {}
