import Foundation

/// Turns a ``MailMessage`` into RFC 5322 bytes with CRLF line endings, ready for SMTP DATA.
///
/// Structure (RFC 2046): text and HTML together become multipart/alternative (text first);
/// inline images (attachments with a content ID) wrap the HTML in multipart/related; other
/// attachments wrap everything in multipart/mixed. So the nesting is mixed > related > alternative.
///
/// Every header value is checked for CR, LF and NUL first; non-ASCII text is encoded (RFC 2047 in
/// headers, RFC 2231 in file names, quoted-printable or base64 in bodies), so the output is
/// 7-bit clean unless an address has a non-ASCII local part (which needs SMTPUTF8).
public struct MessageComposer: Sendable {
    /// Creates a composer.
    public init() {}

    /// Composes `message`.
    /// - Throws: ``MIMEError`` naming the field that cannot be written safely.
    public func compose(_ message: MailMessage) throws -> [UInt8] {
        try validate(message)
        var header = HeaderWriter()
        try header.raw("Date", Self.dateText(message.date), field: "date")
        try header.addresses("From", [message.from], field: "from")
        try header.addresses("To", message.to, field: "to")
        if !message.cc.isEmpty { try header.addresses("Cc", message.cc, field: "cc") }
        if let replyTo = message.replyTo { try header.addresses("Reply-To", [replyTo], field: "replyTo") }
        try header.unstructured("Subject", message.subject, field: "subject")
        try header.raw("Message-ID", "<\(message.messageID)>", field: "messageID")
        try header.raw("MIME-Version", "1.0", field: "MIME-Version")
        for (name, value) in message.headers {
            try header.unstructured(name, value, field: "header \(name)")
        }
        let root = try tree(for: message)
        var boundaries = BoundaryGenerator()
        try checkBoundary(boundaries.stemText, in: root)
        let boundary = boundaries.next()
        var head = header.text
        for line in root.contentHeaders(boundary: boundary) { head += line + "\r\n" }
        var chunks: [MIMEPart.Chunk] = [.bytes(Array((head + "\r\n").utf8))]
        root.appendBody(to: &chunks, boundaries: &boundaries, boundary: boundary)
        return MIMEPart.join(chunks)
    }

    private func tree(for message: MailMessage) throws -> MIMEPart {
        var body: MIMEPart
        switch (message.text, message.html) {
        case let (text?, html?): body = .multipart(subtype: "alternative", parts: [textPart(text, "plain"), textPart(html, "html")])
        case let (nil, html?): body = textPart(html, "html")
        case let (text, nil): body = textPart(text ?? "", "plain")
        }
        let inline = message.html == nil ? [] : message.attachments.filter { $0.contentID != nil }
        let attached = message.attachments.filter { message.html == nil || $0.contentID == nil }
        if !inline.isEmpty {
            body = .multipart(subtype: "related", parts: [body] + inline.map { attachmentPart($0, disposition: "inline") })
        }
        if !attached.isEmpty {
            body = .multipart(subtype: "mixed", parts: [body] + attached.map { attachmentPart($0, disposition: "attachment") })
        }
        return body
    }

    private func textPart(_ text: String, _ subtype: String) -> MIMEPart {
        // Text ends with a line break, whatever the encoding, so every reader sees the same text.
        let body = TextBody(text)
        return .leaf(headers: ["Content-Type: text/\(subtype); charset=utf-8",
                               "Content-Transfer-Encoding: \(body.encoding.rawValue)"], body: .bytes(body.encoded))
    }

    private func attachmentPart(_ attachment: Attachment, disposition: String) -> MIMEPart {
        var headers = ["Content-Type: \(attachment.contentType)" + MIMEParameters.format("name", attachment.filename),
                       "Content-Transfer-Encoding: base64",
                       "Content-Disposition: \(disposition)" + MIMEParameters.format("filename", attachment.filename)]
        if let contentID = attachment.contentID { headers.append("Content-ID: <\(contentID)>") }
        return .leaf(headers: headers, body: .base64(attachment.data))
    }

    /// A 7bit part could contain any text, including a boundary; make sure it does not.
    private func checkBoundary(_ stem: String, in part: MIMEPart) throws {
        switch part {
        case .leaf(let headers, let chunk):
            guard headers.contains("Content-Transfer-Encoding: 7bit"), case .bytes(let body) = chunk else { return }
            if body.containsOctets(Array(stem.utf8)) {
                throw MIMEError(field: "body", "contains the MIME boundary by chance; compose again")
            }
        case .multipart(_, let parts):
            try parts.forEach { try checkBoundary(stem, in: $0) }
        }
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
        // RFC 5322 §3.6.4 msg-id: id-left "@" id-right, printable ASCII; kept short enough for one line.
        guard message.messageID.utf8.count <= 250, message.messageID.utf8.contains(UInt8(ascii: "@")),
              message.messageID.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">" }) else {
            throw MIMEError(field: "messageID", "must be printable ASCII of the form left@right, at most 250 characters, without spaces or angle brackets")
        }
        for (name, value) in message.headers {
            if let problem = HeaderWriter.problem(withName: name) {
                throw MIMEError(field: "header \(name.prefix(80))", problem)
            }
            try LineSafety.check(value, field: "header \(name)")
        }
        for (index, attachment) in message.attachments.enumerated() {
            let field = "attachments[\(index)]"
            try LineSafety.check(attachment.filename, field: "\(field).filename")
            // RFC 6838 §4.2: type and subtype names are at most 127 characters each.
            guard attachment.contentType.wholeMatch(of: #/[A-Za-z0-9!#$&^_.+-]{1,127}\/[A-Za-z0-9!#$&^_.+-]{1,127}/#) != nil else {
                throw MIMEError(field: "\(field).contentType", "\"\(attachment.contentType)\" is not a media type like application/pdf")
            }
            if let contentID = attachment.contentID,
               contentID.isEmpty || contentID.utf8.count > 250
                || !contentID.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">" }) {
                throw MIMEError(field: "\(field).contentID", "must be 1 to 250 printable ASCII characters without spaces or angle brackets")
            }
        }
    }

    /// The header names (lower case) the composer writes itself, Bcc excepted (never written).
    public static let composedHeaderNames: Set<String> = HeaderWriter.reservedNames.subtracting(["bcc"])

    /// Why `name` cannot be a custom header (not printable ASCII without ":", longer than 76
    /// characters, or one the composer writes itself), or nil when it can.
    public static func problem(withHeaderName name: String) -> String? {
        HeaderWriter.problem(withName: name)
    }

    /// Maps CRLF, lone CR and lone LF all to CRLF (RFC 5321 §2.3.8: never a bare CR or LF on the wire).
    public static func normalizeLineEndings(_ text: String) -> String {
        String(decoding: LineEndings.normalize(Array(text.utf8)), as: UTF8.self)
    }

    /// RFC 5322 §3.3 date-time in UTC, e.g. `Wed, 25 Nov 2026 09:14:07 +0000`. Computed directly
    /// (days-from-civil arithmetic) because a DateFormatter costs more than composing a message.
    static func dateText(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let weekday = ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(names[weekday]), \(two(day)) \(months[month - 1]) \(year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60)) +0000"
    }
}
