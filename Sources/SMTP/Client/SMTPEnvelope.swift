import SMTPWire

/// The SMTP envelope: who the message is from (MAIL FROM) and who receives it (RCPT TO).
///
/// It is separate from the message's headers: Bcc recipients are in the envelope only.
public struct SMTPEnvelope: Sendable, Equatable {
    /// The reverse-path; empty for a null sender (`MAIL FROM:<>`).
    public var from: String
    /// The forward-paths, at least one.
    public var recipients: [String]

    /// Creates an envelope.
    public init(from: String, recipients: [String]) {
        self.from = from
        self.recipients = recipients
    }

    /// Checks every address is safe to put in a command (RFC 5321 §4.1.2 and §4.5.3.1).
    func validate() throws {
        guard !recipients.isEmpty else {
            throw SMTPError(.invalidInput, phase: .rcpt, "the envelope has no recipient", hint: "Give at least one address.")
        }
        try Self.check(from, field: "from", phase: .mail, allowEmpty: true)
        for (index, recipient) in recipients.enumerated() {
            try Self.check(recipient, field: "recipients[\(index)]", phase: .rcpt, allowEmpty: false)
        }
    }

    private static func check(_ address: String, field: String, phase: SMTPPhase, allowEmpty: Bool) throws {
        if address.isEmpty && allowEmpty { return }
        // A quoted local part (RFC 5321 §4.1.2 Quoted-string) may hold spaces; nothing else may.
        let unquoted = address.hasPrefix("\"") ? address[(address.lastIndex(of: "@") ?? address.startIndex)...] : Substring(address)
        let forbidden = { (scalar: Unicode.Scalar) in scalar.value < 0x20 || scalar.value == 0x7F || scalar == "<" || scalar == ">"
            || (scalar.value >= 0x80 && scalar.value < 0xA0) || scalar == "\u{2028}" || scalar == "\u{2029}" }
        if address.unicodeScalars.contains(where: forbidden) || unquoted.utf8.contains(UInt8(ascii: " ")) {
            throw SMTPError(.invalidInput, phase: phase,
                            "envelope \(field) \"\(address.debugDescription)\" contains a control character, space or angle bracket",
                            hint: "Pass a bare address such as user@example.com.")
        }
        guard address.utf8.contains(UInt8(ascii: "@")), address.utf8.count <= 254 else {
            throw SMTPError(.invalidInput, phase: phase, "envelope \(field) \"\(address)\" is not an address of at most 254 octets")
        }
    }

    /// Whether any address is not ASCII, which needs the server's SMTPUTF8 extension (RFC 6531).
    var needsSMTPUTF8: Bool {
        ([from] + recipients).contains { !$0.unicodeScalars.allSatisfy(\.isASCII) }
    }
}

/// What the server did with a message.
public struct SMTPSendResult: Sendable, Equatable {
    /// Recipients accepted by RCPT.
    public var accepted: [String]
    /// Recipients refused by RCPT, with the reply for each.
    public var rejected: [Rejection]
    /// The reply to the end of DATA, e.g. `250 2.0.0 Ok: queued as 3F2A`.
    public var response: SMTPReply
    /// The TLS version used, e.g. "TLSv1.3"; nil when the session was in plaintext.
    public var tlsVersion: String?
    /// The mechanism used for AUTH, if any.
    public var authenticatedWith: SASLMechanism?

    /// A refused recipient.
    public struct Rejection: Sendable, Equatable {
        /// The address.
        public var recipient: String
        /// The server's reply to its RCPT.
        public var reply: SMTPReply
    }
}
