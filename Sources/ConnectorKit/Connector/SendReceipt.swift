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
    /// The member that delivered and the members that failed before it, when the message went
    /// through a ``FailoverConnector``.
    public var failover: FailoverRoute?

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
