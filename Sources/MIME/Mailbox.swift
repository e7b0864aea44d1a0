/// An email address with an optional display name: `Ada Lovelace <ada@example.com>`.
public struct Mailbox: Sendable, Equatable, CustomStringConvertible {
    /// The name shown to the reader, if any.
    public var displayName: String?
    /// The addr-spec, `local@domain`.
    public var address: String

    /// Creates a mailbox.
    /// - Parameters:
    ///   - address: the addr-spec.
    ///   - displayName: the name shown beside it.
    public init(_ address: String, displayName: String? = nil) {
        self.address = address
        self.displayName = displayName
    }

    /// Reads `Name <addr>`, `"Name" <addr>` or a bare `addr`.
    /// - Throws: ``MIMEError`` naming `field` when the address is not usable.
    public init(parsing text: String, field: String) throws {
        try LineSafety.check(text, field: field)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                name = String(name.dropFirst().dropLast())
                    .replacingOccurrences(of: "\\\"", with: "\"")
                    .replacingOccurrences(of: "\\\\", with: "\\")
            }
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            self.init(address.trimmingCharacters(in: .whitespaces), displayName: name.isEmpty ? nil : name)
        } else {
            self.init(trimmed)
        }
        try validate(field: field)
    }

    /// Checks the address is a plain ASCII `local@domain` that is safe on the wire.
    /// - Throws: ``MIMEError`` naming `field`.
    public func validate(field: String) throws {
        try LineSafety.check(address, field: field)
        if let displayName { try LineSafety.check(displayName, field: field) }
        guard let at = address.lastIndex(of: "@"),
              at != address.startIndex, address.index(after: at) != address.endIndex else {
            throw MIMEError(field: field, "\"\(address)\" is not an email address; expected local@domain")
        }
        if let bad = address.unicodeScalars.first(where: { $0.value <= 0x20 || $0 == "<" || $0 == ">" || $0 == "," || $0 == "\u{7F}" }) {
            let shown = bad.value <= 0x20 ? String(format: "U+%04X", bad.value) : String(bad)
            throw MIMEError(field: field, "\"\(address)\" contains \(shown), which an address cannot hold")
        }
        if let bad = address.unicodeScalars.first(where: { ($0.value >= 0x80 && $0.value < 0xA0) || $0 == "\u{2028}" || $0 == "\u{2029}" }) {
            throw MIMEError(field: field, "\"\(address)\" contains the control character U+\(String(bad.value, radix: 16, uppercase: true))")
        }
        guard Punycode.asciiDomain(String(address[address.index(after: at)...])) != nil else {
            throw MIMEError(field: field, "the domain of \"\(address)\" cannot be converted to its ASCII (punycode) form")
        }
        // RFC 5321 §4.5.3.1: local-part at most 64 octets, path 256 (254 for the address itself).
        let local = address[..<at]
        guard local.utf8.count <= 64, wireAddress.utf8.count <= 254 else {
            throw MIMEError(field: field, "\"\(address)\" is longer than SMTP allows (64 octets before @, 254 in all)")
        }
    }

    /// The domain in its ASCII form: an international domain becomes `xn--` punycode (RFC 3492).
    public var asciiDomain: String {
        Punycode.asciiDomain(domain) ?? domain
    }

    /// The address as it goes on the wire and into headers: the local part as given (UTF-8 needs
    /// SMTPUTF8, RFC 6531) and the domain in ASCII.
    public var wireAddress: String {
        guard let at = address.lastIndex(of: "@") else { return address }
        return address[..<at] + "@" + asciiDomain
    }

    /// Whether the local part is not ASCII, so the message needs SMTPUTF8 (RFC 6531/6532).
    public var needsSMTPUTF8: Bool {
        !wireAddress.unicodeScalars.allSatisfy(\.isASCII)
    }

    /// The domain part, lowercased.
    public var domain: String {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return address[address.index(after: at)...].lowercased()
    }

    /// `Name <addr>` or `addr`, unencoded.
    public var description: String {
        guard let displayName, !displayName.isEmpty else { return address }
        return "\(displayName) <\(address)>"
    }
}
