/// Writes header fields: folding (RFC 5322 §2.2.3), encoded-words (RFC 2047) and address lists.
struct HeaderWriter {
    private(set) var text = ""

    /// Names the composer sets itself; a custom header may not replace them.
    static let reservedNames: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
        "content-type", "content-transfer-encoding",
    ]

    /// A structured header written as is (already safe ASCII).
    mutating func raw(_ name: String, _ value: String) {
        text += "\(name): \(value)\r\n"
    }

    /// An unstructured header (Subject, custom ones): plain text folded at spaces, otherwise encoded-words.
    mutating func unstructured(_ name: String, _ value: String) {
        let words = value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        // A word too long for a 998-octet line cannot be folded: encode it instead.
        if EncodedWord.isPlain(value), words.allSatisfy({ $0.utf8.count < 900 }) {
            fold(name, words)
        } else {
            fold(name, EncodedWord.encode(value, firstWordLimit: 76 - name.utf8.count - 2))
        }
    }

    /// An address header: `Name <addr>, addr2`.
    mutating func addresses(_ name: String, _ mailboxes: [Mailbox]) {
        let items = mailboxes.enumerated().map { index, mailbox in
            Self.format(mailbox, firstWordLimit: index == 0 ? 76 - name.utf8.count - 2 : 75)
                + (index < mailboxes.count - 1 ? "," : "")
        }
        fold(name, items.flatMap { $0.split(separator: " ").map(String.init) })
    }

    /// Lays `tokens` out after `name:` separated by single spaces, starting a continuation line
    /// (CRLF + the space) before 78 characters. Unfolding removes only the CRLF, so plain text keeps
    /// its spaces, and the space between two encoded-words is dropped by decoders (RFC 2047 §6.2).
    private mutating func fold(_ name: String, _ tokens: [String]) {
        var line = "\(name):"
        var first = true
        for token in tokens {
            if !first, line.utf8.count + 1 + token.utf8.count > 78 {
                text += line + "\r\n"
                line = " " + token
            } else {
                line += " " + token
            }
            first = false
        }
        text += line + "\r\n"
    }

    /// Formats a mailbox, quoting or encoding its display name as needed.
    static func format(_ mailbox: Mailbox, firstWordLimit: Int = 75) -> String {
        guard let name = mailbox.displayName, !name.isEmpty else { return mailbox.wireAddress }
        return "\(phrase(name, firstWordLimit: firstWordLimit)) <\(mailbox.wireAddress)>"
    }

    /// RFC 5322 §3.2.5 phrase: atoms as they are, other ASCII quoted, anything else encoded-words.
    static func phrase(_ name: String, firstWordLimit: Int = 75) -> String {
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ".unicodeScalars)
        if name.unicodeScalars.allSatisfy({ atext.contains($0) }), !name.contains("=?"),
           !name.hasPrefix(" "), !name.hasSuffix(" ") {
            return name
        }
        if EncodedWord.isPlain(name) {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        }
        // Adjacent encoded-words are joined by a space that decoders drop (RFC 2047 §6.2).
        return EncodedWord.encode(name, firstWordLimit: firstWordLimit).joined(separator: " ")
    }

    /// Header names: printable ASCII 33-126 except ":" (RFC 5322 §2.2).
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.value >= 33 && $0.value <= 126 && $0 != ":" }
    }
}
