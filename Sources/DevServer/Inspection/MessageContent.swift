import Foundation
import MIME

/// A received message taken apart the way a mail client shows it: header fields, the plain-text
/// and HTML alternatives (transfer encoding undone), and attachments.
///
/// It reads what well-formed senders write (RFC 5322 header fields, RFC 2045-2047 MIME); anything
/// it cannot place is kept as an attachment rather than dropped, so an inspection never hides a part.
public struct MessageContent: Sendable, Equatable {
    /// One leaf of the MIME tree that is not the text or HTML body.
    public struct Attachment: Sendable, Equatable {
        /// The file name (`filename` or `name` parameter, RFC 2231 decoded), if any.
        public var filename: String?
        /// The media type, e.g. "application/pdf".
        public var mediaType: String
        /// The `Content-ID`, without angle brackets, for inline images.
        public var contentID: String?
        /// The decoded content.
        public var data: [UInt8]
    }

    /// The header fields of the message, unfolded, in order (values as sent, not decoded).
    public var headers: [(name: String, value: String)]
    /// The first text/plain part that is not an attachment, decoded.
    public var text: String?
    /// The first text/html part that is not an attachment, decoded.
    public var html: String?
    /// Every other leaf part.
    public var attachments: [Attachment]

    /// Takes `message` apart.
    /// - Parameter message: the message as received (CRLF or LF line endings).
    public init(_ message: [UInt8]) {
        let root = MIMEEntity(message)
        headers = root.headers
        text = nil
        html = nil
        attachments = []
        collect(root, depth: 0)
    }

    /// The first header named `name` (case-insensitive), with encoded-words decoded for display.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }.map { EncodedWordDecoder.decode($0.value) }
    }

    /// Only the header fields of a message, read without touching its body.
    public struct Headers: Sendable {
        /// The fields, unfolded, in order.
        public let fields: [(name: String, value: String)]

        /// Reads the header of `message`.
        /// - Parameter message: the message as received.
        public init(_ message: [UInt8]) {
            fields = MIMEEntity(message).headers
        }

        /// The first field named `name` (case-insensitive), encoded-words decoded.
        public subscript(name: String) -> String? {
            fields.first { $0.name.lowercased() == name.lowercased() }.map { EncodedWordDecoder.decode($0.value) }
        }
    }

    /// A header value with RFC 2047 encoded-words decoded, for display.
    public static func decodedValue(_ value: String) -> String {
        EncodedWordDecoder.decode(value)
    }

    private mutating func collect(_ entity: MIMEEntity, depth: Int) {
        if entity.mediaType.hasPrefix("multipart/"), let boundary = entity.parameter("boundary"), depth < 20 {
            for part in entity.parts(boundary: boundary) { collect(part, depth: depth + 1) }
            return
        }
        let decoded = entity.decodedBody
        if !entity.isAttachment, entity.mediaType == "text/plain", text == nil {
            text = Self.string(decoded, charset: entity.parameter("charset"))
        } else if !entity.isAttachment, entity.mediaType == "text/html", html == nil {
            html = Self.string(decoded, charset: entity.parameter("charset"))
        } else {
            attachments.append(Attachment(filename: entity.filename, mediaType: entity.mediaType,
                                          contentID: entity.header("Content-ID").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "<> ")) },
                                          data: decoded))
        }
    }

    private static func string(_ bytes: [UInt8], charset: String?) -> String {
        // Latin-1 octets are the first 256 code points; everything else is read as UTF-8.
        guard let charset = charset?.lowercased(), ["iso-8859-1", "latin1"].contains(charset) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    public static func == (lhs: MessageContent, rhs: MessageContent) -> Bool {
        lhs.headers.elementsEqual(rhs.headers) { $0 == $1 } && lhs.text == rhs.text && lhs.html == rhs.html
            && lhs.attachments == rhs.attachments
    }
}
