import Foundation

/// Turns a ``MailMessage`` into RFC 5322 bytes with CRLF line endings, ready for SMTP DATA.
///
/// Every header value is checked for CR, LF and NUL first; non-ASCII text is encoded (RFC 2047 in
/// headers, quoted-printable or base64 in the body), so the output is 7-bit clean.
public struct MessageComposer: Sendable {
    /// Creates a composer.
    public init() {}

    /// Composes `message`.
    /// - Throws: ``MIMEError`` naming the field that cannot be written safely.
    public func compose(_ message: MailMessage) throws -> [UInt8] {
        try validate(message)
        var header = HeaderWriter()
        header.raw("Date", Self.dateText(message.date))
        header.addresses("From", [message.from])
        header.addresses("To", message.to)
        if !message.cc.isEmpty { header.addresses("Cc", message.cc) }
        if let replyTo = message.replyTo { header.addresses("Reply-To", [replyTo]) }
        header.unstructured("Subject", message.subject)
        header.raw("Message-ID", "<\(message.messageID)>")
        header.raw("MIME-Version", "1.0")
        for (name, value) in message.headers {
            header.unstructured(name, value)
        }
        let body = Self.normalizeLineEndings(message.body.text)
        let (encoding, encoded) = Self.encodeBody(body)
        header.raw("Content-Type", "\(message.body.kind.rawValue); charset=utf-8")
        header.raw("Content-Transfer-Encoding", encoding)
        var output = Array(header.text.utf8)
        output += Array("\r\n".utf8)
        output += Array(encoded.utf8)
        if !encoded.hasSuffix("\r\n") { output += Array("\r\n".utf8) }
        return output
    }

    private func validate(_ message: MailMessage) throws {
        try message.from.validate(field: "from")
        guard !message.to.isEmpty else { throw MIMEError(field: "to", "needs at least one recipient") }
        for (index, mailbox) in message.to.enumerated() { try mailbox.validate(field: "to[\(index)]") }
        for (index, mailbox) in message.cc.enumerated() { try mailbox.validate(field: "cc[\(index)]") }
        for (index, mailbox) in message.bcc.enumerated() { try mailbox.validate(field: "bcc[\(index)]") }
        try message.replyTo?.validate(field: "replyTo")
        try LineSafety.check(message.subject, field: "subject")
        try LineSafety.check(message.messageID, field: "messageID")
        for (name, value) in message.headers {
            guard HeaderWriter.isValidName(name) else {
                throw MIMEError(field: "header \(name)", "is not a valid header name (printable ASCII without spaces or \":\")")
            }
            guard !HeaderWriter.reservedNames.contains(name.lowercased()) else {
                throw MIMEError(field: "header \(name)", "is set by the composer and cannot be given as a custom header")
            }
            try LineSafety.check(value, field: "header \(name)")
        }
    }

    /// Maps CRLF, lone CR and lone LF all to CRLF (RFC 5321 §2.3.8: never a bare CR or LF on the wire).
    public static func normalizeLineEndings(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + 16)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\r":
                output += "\r\n"
                previousWasCR = true
            case "\n":
                if !previousWasCR { output += "\r\n" }
                previousWasCR = false
            default:
                output.unicodeScalars.append(scalar)
                previousWasCR = false
            }
        }
        return output
    }

    /// 7bit when ASCII with short lines; base64 when mostly non-ASCII; quoted-printable otherwise.
    static func encodeBody(_ text: String) -> (encoding: String, text: String) {
        let bytes = Array(text.utf8)
        let nonASCII = bytes.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
        let longestLine = text.components(separatedBy: "\r\n").map(\.utf8.count).max() ?? 0
        if nonASCII == 0, longestLine <= 998, !bytes.contains(0) {
            return ("7bit", text)
        }
        if nonASCII * 3 > bytes.count {
            return ("base64", Base64.encodeLines(bytes))
        }
        return ("quoted-printable", QuotedPrintable.encode(text))
    }

    /// RFC 5322 §3.3 date-time, e.g. `Wed, 25 Nov 2026 09:14:07 +0000`.
    static func dateText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
