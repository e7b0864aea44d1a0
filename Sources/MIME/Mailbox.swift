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

    /// Checks the address against RFC 5321's Mailbox grammar (dot-atom or quoted local part, a host
    /// name or address literal as domain; UTF-8 allowed as RFC 6531 allows it) and its length limits.
    /// - Throws: ``MIMEError`` naming `field` and the address.
    public func validate(field: String) throws {
        try LineSafety.check(address, field: field)
        if let displayName { try LineSafety.check(displayName, field: field) }
        if let bad = address.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F || AddressSyntax.isControl($0) }) {
            throw MIMEError(field: field, "\(AddressSyntax.quoted(address)) contains the control character U+\(String(format: "%04X", bad.value))")
        }
        try AddressSyntax.check(address, field: field)
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
