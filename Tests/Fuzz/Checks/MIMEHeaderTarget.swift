import DevServer
import Foundation
import MIME

/// The MIME composer's header and encoded-word writer against any subject, display name, custom
/// header value and attachment name.
///
/// Input: four fields separated by 0xFF: subject, display name, `X-Fuzz` header value, attachment
/// file name (missing fields are left out of the message).
///
/// Checked, for every message that composes (values with CR, LF or NUL must be refused instead):
/// every line has at most 998 octets before its CRLF (RFC 5322 §2.1.1); there is no bare CR or LF;
/// the header section ends in an empty line; and the subject, the custom value and the file name
/// decode back to the input. Header values are compared without leading and trailing white space,
/// which a plain header cannot carry (RFC 5322 §2.2.3: readers drop it when unfolding; inside an
/// encoded-word it survives); every space inside must survive, encoded-words or not. `FuzzChecksTests` runs the corpus through Python's `email`
/// parser too, the independent reader.
enum MIMEHeaderTarget {
    struct Fields {
        var subject: String
        var displayName: String?
        var headerValue: String?
        var filename: String?

        init(_ data: [UInt8]) {
            let fields = FuzzBytes.fields(data).map(FuzzBytes.text)
            subject = fields[0]
            displayName = fields.count > 1 ? fields[1] : nil
            headerValue = fields.count > 2 ? fields[2] : nil
            filename = fields.count > 3 ? fields[3] : nil
        }

        var message: MailMessage {
            MailMessage(from: Mailbox("sender@example.com", displayName: displayName), to: [Mailbox("to@example.com")],
                        subject: subject, text: "hello",
                        attachments: filename.map { [Attachment(filename: $0, data: Data("x".utf8), contentType: "text/plain")] } ?? [],
                        headers: headerValue.map { [("X-Fuzz", $0)] } ?? [],
                        date: Date(timeIntervalSince1970: 1_700_000_000), messageID: "fuzz@example.com")
        }

        /// Whether a value holds what a header must refuse.
        var holdsLineBreaks: Bool {
            [subject, displayName, headerValue, filename].contains { value in
                value?.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" } ?? false
            }
        }
    }

    static func check(_ data: [UInt8]) throws {
        let fields = Fields(data)
        let composed: [UInt8]
        do {
            composed = try MessageComposer().compose(fields.message)
        } catch let error as MIMEError {
            _ = error.description
            return
        }
        try require(!fields.holdsLineBreaks, "a value with CR, LF or NUL was written instead of refused")
        try checkLines(composed)
        let content = MessageContent(composed)
        try require(content.header("Subject").map(trimmed) == trimmed(fields.subject),
                    "the subject reads back differently: \(firstDifference(trimmed(fields.subject), content.header("Subject")))")
        if let value = fields.headerValue {
            try require(content.header("X-Fuzz").map(trimmed) == trimmed(value),
                        "X-Fuzz reads back differently: \(firstDifference(trimmed(value), content.header("X-Fuzz")))")
        }
        if let filename = fields.filename {
            let read = content.attachments.first?.filename
            try require(read == filename, "the file name reads back differently: \(firstDifference(filename, read))")
        }
    }

    static func trimmed(_ value: String) -> String {
        value.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
    }

    /// RFC 5322 §2.1.1 and §2.3: CRLF line endings only, each line at most 998 octets.
    static func checkLines(_ message: [UInt8]) throws {
        var lineLength = 0
        var index = 0
        var sawHeaderEnd = false
        while index < message.count {
            let byte = message[index]
            if byte == UInt8(ascii: "\r") {
                try require(index + 1 < message.count && message[index + 1] == UInt8(ascii: "\n"), "a bare CR at \(index)")
                try require(lineLength <= 998, "a line of \(lineLength) octets")
                if lineLength == 0 { sawHeaderEnd = true }
                lineLength = 0
                index += 2
                continue
            }
            try require(byte != UInt8(ascii: "\n"), "a bare LF at \(index)")
            lineLength += 1
            index += 1
        }
        try require(sawHeaderEnd, "no empty line after the header")
        try require(lineLength == 0, "the message does not end with CRLF")
    }
}
