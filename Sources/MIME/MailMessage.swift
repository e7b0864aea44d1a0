import Foundation

/// A message to compose: addresses, subject, one body and extra headers.
public struct MailMessage: Sendable, Equatable {
    /// A body and its media type.
    public struct Body: Sendable, Equatable {
        /// The media subtype of text the body is.
        public enum Kind: String, Sendable {
            case plain = "text/plain"
            case html = "text/html"
        }
        /// Plain text or HTML.
        public var kind: Kind
        /// The text; any line endings (CRLF, LF, CR) are accepted and written as CRLF.
        public var text: String

        /// Creates a body.
        public init(_ kind: Kind, _ text: String) {
            self.kind = kind
            self.text = text
        }
    }

    /// The author.
    public var from: Mailbox
    /// The recipients shown in `To`.
    public var to: [Mailbox]
    /// The recipients shown in `Cc`.
    public var cc: [Mailbox]
    /// Blind-copy recipients: never written into the message; the sender puts them in the envelope.
    public var bcc: [Mailbox]
    /// Where replies go, when not to `from`.
    public var replyTo: Mailbox?
    /// The subject, any Unicode; encoded per RFC 2047 when needed.
    public var subject: String
    /// The body.
    public var body: Body
    /// Extra headers in order, e.g. `("X-Campaign", "welcome")`.
    public var headers: [(name: String, value: String)]
    /// The Date header's time. Default: when the message is created.
    public var date: Date
    /// The Message-ID without angle brackets. Default: a random id at the sender's domain.
    public var messageID: String

    /// Creates a message.
    /// - Parameters:
    ///   - from: the author.
    ///   - to: at least one recipient.
    ///   - replyTo: the reply address, if different from `from`.
    ///   - subject: the subject line.
    ///   - body: a text/plain or text/html body.
    ///   - headers: extra headers, validated when composing.
    ///   - date: the Date header (default now).
    ///   - messageID: the Message-ID (default random at `from`'s domain).
    ///   - cc: copy recipients.
    ///   - bcc: blind-copy recipients (not written into the message).
    public init(from: Mailbox, to: [Mailbox], replyTo: Mailbox? = nil, subject: String, body: Body,
                headers: [(name: String, value: String)] = [], date: Date = Date(), messageID: String? = nil,
                cc: [Mailbox] = [], bcc: [Mailbox] = []) {
        self.from = from
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.subject = subject
        self.body = body
        self.headers = headers
        self.date = date
        let domain = from.domain.isEmpty ? "localhost" : from.domain
        self.messageID = messageID ?? "\(UUID().uuidString.lowercased())@\(domain)"
    }

    /// Every recipient for the SMTP envelope: To, Cc and Bcc, each address once, in that order.
    public var envelopeRecipients: [String] {
        var seen: Set<String> = []
        return (to + cc + bcc).map(\.address).filter { seen.insert($0.lowercased()).inserted }
    }

    public static func == (lhs: MailMessage, rhs: MailMessage) -> Bool {
        lhs.from == rhs.from && lhs.to == rhs.to && lhs.cc == rhs.cc && lhs.bcc == rhs.bcc && lhs.replyTo == rhs.replyTo && lhs.subject == rhs.subject
            && lhs.body == rhs.body && lhs.date == rhs.date && lhs.messageID == rhs.messageID
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}
