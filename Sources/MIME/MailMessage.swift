import Foundation

/// A message to compose: addresses, subject, a plain-text and/or HTML body, attachments and
/// extra headers.
public struct MailMessage: Sendable, Equatable {
    /// A single body, for messages that have only one.
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
    /// The plain-text body. With `html` too, the message is multipart/alternative, text first.
    public var text: String?
    /// The HTML body.
    public var html: String?
    /// Files attached; those with a content ID are inline parts the HTML refers to as `cid:ID`.
    public var attachments: [Attachment]
    /// Extra headers in order, e.g. `("X-Campaign", "welcome")`, `("List-Unsubscribe", "<mailto:…>")`.
    public var headers: [(name: String, value: String)]
    /// The Date header's time. Default: when the message is created.
    public var date: Date
    /// The Message-ID without angle brackets. Default: a random id at the sender's domain.
    public var messageID: String

    /// Creates a message.
    /// - Parameters:
    ///   - from: the author.
    ///   - to: at least one recipient.
    ///   - cc: copy recipients.
    ///   - bcc: blind-copy recipients (not written into the message).
    ///   - replyTo: the reply address, if different from `from`.
    ///   - subject: the subject line.
    ///   - text: the plain-text body.
    ///   - html: the HTML body.
    ///   - attachments: attached files and inline images.
    ///   - headers: extra headers, validated when composing.
    ///   - date: the Date header (default now).
    ///   - messageID: the Message-ID (default random at `from`'s domain).
    public init(from: Mailbox, to: [Mailbox], cc: [Mailbox] = [], bcc: [Mailbox] = [], replyTo: Mailbox? = nil,
                subject: String, text: String? = nil, html: String? = nil, attachments: [Attachment] = [],
                headers: [(name: String, value: String)] = [], date: Date = Date(), messageID: String? = nil) {
        self.from = from
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.attachments = attachments
        self.headers = headers
        self.date = date
        if let messageID {
            self.messageID = messageID
        } else {
            let domain = from.asciiDomain
            self.messageID = RandomToken.hex(32) + "@" + (domain.isEmpty ? "localhost" : domain)
        }
    }

    /// Creates a message with a single body.
    public init(from: Mailbox, to: [Mailbox], replyTo: Mailbox? = nil, subject: String, body: Body,
                headers: [(name: String, value: String)] = [], date: Date = Date(), messageID: String? = nil,
                cc: [Mailbox] = [], bcc: [Mailbox] = []) {
        self.init(from: from, to: to, cc: cc, bcc: bcc, replyTo: replyTo, subject: subject,
                  text: body.kind == .plain ? body.text : nil, html: body.kind == .html ? body.text : nil,
                  headers: headers, date: date, messageID: messageID)
    }

    /// Every recipient for the SMTP envelope: To, Cc and Bcc, each address once, in that order,
    /// with international domains in punycode.
    public var envelopeRecipients: [String] {
        var seen: Set<String> = []
        return (to + cc + bcc).map(\.wireAddress).filter { seen.insert($0.lowercased()).inserted }
    }

    public static func == (lhs: MailMessage, rhs: MailMessage) -> Bool {
        lhs.from == rhs.from && lhs.to == rhs.to && lhs.cc == rhs.cc && lhs.bcc == rhs.bcc && lhs.replyTo == rhs.replyTo
            && lhs.subject == rhs.subject && lhs.text == rhs.text && lhs.html == rhs.html
            && lhs.attachments == rhs.attachments && lhs.date == rhs.date && lhs.messageID == rhs.messageID
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}

/// A file attached to a message, or an inline image referenced from the HTML by `cid:`.
public struct Attachment: Sendable, Equatable {
    /// The file name shown to the reader; any characters (encoded per RFC 2231).
    public var filename: String
    /// The media type, e.g. "application/pdf". Default: from the file name's extension.
    public var contentType: String
    /// The content.
    public var data: Data
    /// The Content-ID (without angle brackets) for inline parts; nil for ordinary attachments.
    public var contentID: String?

    /// Creates an attachment.
    /// - Parameters:
    ///   - filename: the name shown to the reader.
    ///   - data: the bytes.
    ///   - contentType: the media type; nil guesses from `filename`'s extension.
    ///   - contentID: set to make it an inline part (`<img src="cid:logo">` with contentID "logo").
    public init(filename: String, data: Data, contentType: String? = nil, contentID: String? = nil) {
        self.filename = filename
        self.data = data
        self.contentType = contentType ?? MediaTypes.type(forFilename: filename)
        self.contentID = contentID
    }
}
