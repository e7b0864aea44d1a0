/// One email a host app asks a connector to send.
public struct EmailRequest: Sendable, Equatable {
    /// The recipients' addresses (at least one), shown in `To`.
    public var to: [String]
    /// Copy recipients, shown in `Cc`.
    public var cc: [String]
    /// Blind-copy recipients: in the SMTP envelope only, never in a header.
    public var bcc: [String]
    /// Which template to use.
    public var usageType: UsageType
    /// The values for the template's placeholders: `code`, `link`, `locale`, `application`,
    /// `organization`, `user`, `inviter` or anything else the templates refer to.
    public var payload: ConfigValue
    /// The locale to prefer when templates carry one (e.g. "fr-CA"); `payload.locale` is used when nil.
    public var locale: String?
    /// Files to attach, and inline images.
    public var attachments: [EmailAttachment]
    /// Content to send instead of the configured template for `usageType`.
    public var content: EmailContent?

    /// Creates a request.
    /// - Parameters:
    ///   - to: one address or several.
    ///   - usageType: the template's usage type.
    ///   - payload: a JSON object of template values, e.g. `["code": "123456"]`.
    ///   - locale: the preferred template locale.
    ///   - cc: copy recipients.
    ///   - bcc: blind-copy recipients (envelope only).
    ///   - attachments: files and inline images.
    ///   - content: subject and bodies that replace the template.
    public init(to: [String], usageType: UsageType, payload: ConfigValue = [:], locale: String? = nil,
                cc: [String] = [], bcc: [String] = [], attachments: [EmailAttachment] = [], content: EmailContent? = nil) {
        self.to = to
        self.attachments = attachments
        self.content = content
        self.cc = cc
        self.bcc = bcc
        self.usageType = usageType
        self.payload = payload
        self.locale = locale
    }

    /// Creates a request for a single recipient.
    public init(to address: String, usageType: UsageType, payload: ConfigValue = [:], locale: String? = nil,
                attachments: [EmailAttachment] = [], content: EmailContent? = nil) {
        self.init(to: [address], usageType: usageType, payload: payload, locale: locale,
                  attachments: attachments, content: content)
    }
}

/// What happened to a sent email.
public struct SendReceipt: Sendable, Equatable {
    /// The Message-ID header of the message, without angle brackets.
    public var messageID: String
    /// Recipients the server accepted.
    public var accepted: [String]
    /// Recipients the server refused, each with its reply.
    public var rejected: [Rejection]
    /// The server's reply to the end of the message, e.g. "250 2.0.0 Ok: queued as 4FA7".
    public var response: String
    /// The SMTP envelope used: MAIL FROM and every RCPT TO (Bcc included), when the connector has one.
    public var envelope: Envelope?

    /// Creates a receipt.
    public init(messageID: String, accepted: [String], rejected: [Rejection] = [], response: String,
                envelope: Envelope? = nil) {
        self.messageID = messageID
        self.accepted = accepted
        self.rejected = rejected
        self.response = response
        self.envelope = envelope
    }

    /// The envelope of a sent message.
    public struct Envelope: Sendable, Equatable {
        /// The reverse-path (MAIL FROM).
        public var from: String
        /// The forward-paths (RCPT TO).
        public var to: [String]

        /// Creates an envelope.
        public init(from: String, to: [String]) {
            self.from = from
            self.to = to
        }
    }

    /// A recipient the server refused.
    public struct Rejection: Sendable, Equatable {
        /// The recipient's address.
        public var address: String
        /// The server's reply to its RCPT command.
        public var reply: ConnectorError.ServerReply

        /// Creates a rejection.
        public init(address: String, reply: ConnectorError.ServerReply) {
            self.address = address
            self.reply = reply
        }
    }
}
