/// Writes header fields: folding (RFC 5322 §2.2.3), encoded-words (RFC 2047) and address lists.
///
/// Every line it writes is at most 998 octets (RFC 5322 §2.1.1), and 78 wherever the content can be
/// folded that short; no continuation line is made of whitespace alone (§3.2.2: such a line is
/// obsolete syntax that some parsers reject). A field that still cannot fit throws, naming the field.
struct HeaderWriter {
    /// RFC 5322 §2.1.1: a line MUST be no more than 998 characters, and SHOULD be no more than 78.
    static let maxLineOctets = 998, preferredLineOctets = 78

    private(set) var text = ""

    /// Names the composer sets itself; a custom header may not replace them.
    static let reservedNames: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
        "content-type", "content-transfer-encoding",
    ]

    /// The longest custom header name: `Name: ` and the start of a value then fit in 78 characters.
    static let maxNameOctets = 76

    /// A structured header written as is (already safe ASCII).
    mutating func raw(_ name: String, _ value: String, field: String) throws {
        try append(["\(name): \(value)"], field: field)
    }

    /// An unstructured header (Subject, custom ones): plain text folded at spaces when every line then
    /// fits, otherwise encoded-words (which can carry any text, long runs of spaces included).
    mutating func unstructured(_ name: String, _ value: String, field: String) throws {
        if EncodedWord.isPlain(value) {
            let lines = Self.fold(name, value.split(separator: " ", omittingEmptySubsequences: false).map(String.init))
            if lines.allSatisfy({ $0.utf8.count <= Self.maxLineOctets }) {
                return try append(lines, field: field)
            }
        }
        try append(Self.fold(name, EncodedWord.encode(value, firstWordLimit: Self.firstWordLimit(name))), field: field)
    }

    /// An address header: `Name <addr>, addr2`.
    mutating func addresses(_ name: String, _ mailboxes: [Mailbox], field: String) throws {
        var tokens: [String] = []
        for (index, mailbox) in mailboxes.enumerated() {
            var item = Self.tokens(mailbox, firstWordLimit: index == 0 ? Self.firstWordLimit(name) : 75)
            if index < mailboxes.count - 1 { item[item.count - 1] += "," }
            tokens += item
        }
        try append(Self.fold(name, tokens), field: field)
    }

    /// Appends finished lines, after checking each against the 998-octet limit.
    private mutating func append(_ lines: [String], field: String) throws {
        if let long = lines.first(where: { $0.utf8.count > Self.maxLineOctets }) {
            throw MIMEError(field: field, "would need a header line of \(long.utf8.count) octets; "
                            + "the limit is \(Self.maxLineOctets) (RFC 5322 §2.1.1): shorten it")
        }
        for line in lines { text += line + "\r\n" }
    }

    /// The room left for the first encoded-word after `Name: ` on a 76-character line (RFC 2047 §2).
    private static func firstWordLimit(_ name: String) -> Int {
        76 - name.utf8.count - 2
    }

    /// Lays `tokens` out after `name:` separated by single spaces, starting a continuation line
    /// (CRLF + the space) before 78 characters. Unfolding removes only the CRLF, so plain text keeps
    /// its spaces, and the space between two encoded-words is dropped by decoders (RFC 2047 §6.2).
    /// A line never breaks before a blank token (the gap between two spaces, a tab): the
    /// continuation line would then hold whitespace alone. Nor right after one: the line would end
    /// in white space, which some relays strip and some readers trim when unfolding, losing a space.
    static func fold(_ name: String, _ tokens: [String]) -> [String] {
        var lines: [String] = []
        var line = "\(name):"
        var first = true
        var previousBlank = false
        for token in tokens {
            let blank = token.allSatisfy { $0 == " " || $0 == "\t" }
            if !first, !blank, !previousBlank, line.utf8.count + 1 + token.utf8.count > preferredLineOctets {
                lines.append(line)
                line = " " + token
            } else {
                line += " " + token
            }
            first = false
            previousBlank = blank
        }
        lines.append(line)
        return lines
    }

    /// Formats a mailbox, quoting or encoding its display name as needed.
    static func format(_ mailbox: Mailbox, firstWordLimit: Int = 75) -> String {
        tokens(mailbox, firstWordLimit: firstWordLimit).joined(separator: " ")
    }

    /// A mailbox as the tokens a line may break between: the display name's atoms or encoded-words
    /// (a quoted-string stays one token), then `<address>`.
    static func tokens(_ mailbox: Mailbox, firstWordLimit: Int = 75) -> [String] {
        guard let name = mailbox.displayName, !name.isEmpty else { return [mailbox.wireAddress] }
        return phrase(name, firstWordLimit: firstWordLimit) + ["<\(mailbox.wireAddress)>"]
    }

    /// RFC 5322 §3.2.5 phrase: atoms as they are, other ASCII quoted, anything else encoded-words.
    /// A name with a word too long to fold into a 78-character line is encoded too (encoded-words
    /// can be split anywhere between characters), and so is one whose quoted form would need folding:
    /// parsers disagree on folding whitespace inside a quoted-string, so none is ever written.
    static func phrase(_ name: String, firstWordLimit: Int = 75) -> [String] {
        let foldable = name.split(separator: " ").allSatisfy { $0.utf8.count <= preferredLineOctets - 4 }
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ".unicodeScalars)
        if foldable, name.unicodeScalars.allSatisfy({ atext.contains($0) }), !name.containsOctets("=?"),
           !name.hasPrefix(" "), !name.hasSuffix(" "), !name.containsOctets("  ") {
            return name.split(separator: " ").map(String.init)
        }
        if EncodedWord.isPlain(name) {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            if escaped.utf8.count + 2 <= min(firstWordLimit, preferredLineOctets - 4) {
                return ["\"\(escaped)\""]
            }
        }
        // Adjacent encoded-words are joined by a space that decoders drop (RFC 2047 §6.2).
        return EncodedWord.encode(name, firstWordLimit: firstWordLimit)
    }

    /// Why `name` cannot be a custom header, or nil when it can: printable ASCII 33-126 except ":"
    /// (RFC 5322 §2.2), at most ``maxNameOctets`` long, and not one the composer sets itself.
    static func problem(withName name: String) -> String? {
        if name.isEmpty || !name.unicodeScalars.allSatisfy({ $0.value >= 33 && $0.value <= 126 && $0 != ":" }) {
            return "is not a valid header name (printable ASCII without spaces or \":\")"
        }
        if name.utf8.count > maxNameOctets {
            return "is \(name.utf8.count) characters long; a header name may have at most \(maxNameOctets)"
        }
        if reservedNames.contains(name.lowercased()) {
            return "is set by the composer and cannot be given as a custom header"
        }
        return nil
    }
}
