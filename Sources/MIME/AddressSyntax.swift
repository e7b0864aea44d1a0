import Foundation

/// RFC 5321 §4.1.2 `Mailbox` syntax, extended for SMTPUTF8 (RFC 6531 §3.3: UTF-8 in atoms, quoted
/// strings and domain labels), and the length limits of §4.5.3.1.
///
/// Everything that goes into RCPT, MAIL or an address header passes through here first, so an
/// address such as `a@b.example(ceo@corp.example)` or `team:boss@corp.example` never reaches the wire.
enum AddressSyntax {
    /// RFC 5321 §4.5.3.1.1-3: local part 64 octets, domain 255, and a path of 256 octets including
    /// its angle brackets, so 254 for the address itself.
    static let maxLocalPartOctets = 64, maxDomainOctets = 255, maxAddressOctets = 254

    /// Checks `address`: lengths first, then the local part, then the domain (converted to ASCII).
    /// - Throws: ``MIMEError`` naming `field` and the address, with the rule it breaks.
    static func check(_ address: String, field: String) throws {
        guard let at = address.lastIndex(of: "@"), at != address.startIndex, address.index(after: at) != address.endIndex else {
            throw MIMEError(field: field, "\(quoted(address)) is not an email address; expected local@domain, e.g. ada@example.com")
        }
        let local = address[..<at], domain = address[address.index(after: at)...]
        // The limits come before any conversion: converting a 20,000-character domain to punycode
        // first would cost seconds of CPU for an address that is refused anyway. The local part is
        // sent as it is, so its octets count; the domain is sent in punycode, which has at least
        // one character per code point, so its code points are a lower bound checked here.
        let domainLowerBound = domain.unicodeScalars.count
        guard local.utf8.count <= maxLocalPartOctets, domainLowerBound <= maxDomainOctets,
              local.utf8.count + 1 + domainLowerBound <= maxAddressOctets else {
            throw MIMEError(field: field, "\(quoted(address)) is longer than SMTP allows "
                            + "(\(maxLocalPartOctets) octets before the @, \(maxDomainOctets) for the domain, \(maxAddressOctets) in all)")
        }
        guard isDotString(local) || isQuotedString(local) else {
            throw MIMEError(field: field, "\(quoted(address)) has an invalid local part: use letters, digits and "
                            + "!#$%&'*+-/=?^_`{|}~ separated by single dots, or put it in double quotes")
        }
        if domain.hasPrefix("[") {
            guard isAddressLiteral(domain) else {
                throw MIMEError(field: field, "\(quoted(address)) has an invalid address literal; expected [192.0.2.1] or [IPv6:2001:db8::1]")
            }
            return
        }
        guard let ascii = Punycode.asciiDomain(String(domain)), isHostName(ascii) else {
            throw MIMEError(field: field, "\(quoted(address)) has an invalid domain: expected a host name such as "
                            + "example.com (letters, digits and hyphens in dot-separated labels of at most 63 octets)")
        }
        guard ascii.utf8.count <= maxDomainOctets, (local.utf8.count + 1 + ascii.utf8.count) <= maxAddressOctets else {
            throw MIMEError(field: field, "\(quoted(address)) is longer than SMTP allows once its domain is in punycode")
        }
    }

    /// RFC 5322 atext, plus any non-ASCII character (RFC 6531 §3.3 UTF8-non-ascii).
    static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": return true
        case "!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~": return true
        default: return !scalar.isASCII && !isControl(scalar)
        }
    }

    /// C1 controls and the Unicode line and paragraph separators: never in an address.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (0x80..<0xA0).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
    }

    /// `Dot-string = Atom *("." Atom)`.
    private static func isDotString(_ text: Substring) -> Bool {
        let atoms = text.split(separator: ".", omittingEmptySubsequences: false)
        return atoms.allSatisfy { !$0.isEmpty && $0.unicodeScalars.allSatisfy(isAtext) }
    }

    /// `Quoted-string = DQUOTE *QcontentSMTP DQUOTE`: printable ASCII except `"` and `\` (which
    /// need a backslash), or UTF-8. Angle brackets are refused too, though the grammar allows them,
    /// so a quoted local part can never close the `<...>` around a path.
    private static func isQuotedString(_ text: Substring) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 2, scalars.first == "\"", scalars.last == "\"" else { return false }
        var index = 1
        while index < scalars.count - 1 {
            let scalar = scalars[index]
            if scalar == "\\" {
                guard index + 1 < scalars.count - 1, (0x20...0x7E).contains(scalars[index + 1].value) else { return false }
                index += 2
                continue
            }
            let printable = (0x20...0x7E).contains(scalar.value) && scalar != "\"" && scalar != "<" && scalar != ">"
            guard printable || (!scalar.isASCII && !isControl(scalar)) else { return false }
            index += 1
        }
        return true
    }

    /// Labels of letters, digits and inner hyphens, 1 to 63 octets each (RFC 5321 §4.1.2 sub-domain,
    /// RFC 1035 §2.3.4).
    private static func isHostName(_ domain: String) -> Bool {
        domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
            return bytes.allSatisfy { isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// `[IPv4]` or `[IPv6:address]` (RFC 5321 §4.1.3).
    private static func isAddressLiteral(_ text: Substring) -> Bool {
        guard text.hasPrefix("["), text.hasSuffix("]"), text.count > 2 else { return false }
        let inner = text.dropFirst().dropLast()
        if inner.lowercased().hasPrefix("ipv6:") { return isIPv6(inner.dropFirst(5)) }
        return isIPv4(inner)
    }

    static func isIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            (1...3).contains(part.count) && part.allSatisfy(\.isASCIIDigit) && Int(part)! <= 255
        }
    }

    /// Eight groups of 1-4 hex digits, one `::` for a run of zero groups, and optionally an IPv4
    /// address as the last two groups (RFC 4291 §2.2).
    static func isIPv6(_ text: Substring) -> Bool {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ half: String) -> [Substring] {
            half.isEmpty ? [] : half.split(separator: ":", omittingEmptySubsequences: false)
        }
        let left = groups(halves[0]), right = halves.count == 2 ? groups(halves[1]) : []
        var hexGroups = left + right
        var count = hexGroups.count
        // Only the very last group may be an IPv4 address, standing for two groups.
        if let last = (halves.count == 2 ? right : left).last, last.contains(".") {
            guard isIPv4(last) else { return false }
            hexGroups.removeLast()
            count += 1
        }
        let hex = { (character: Character) in character.isASCII && character.isHexDigit }
        guard hexGroups.allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy(hex) }) else { return false }
        // RFC 5321 §4.1.3 IPv6-comp: at most 6 groups beside the "::" (4 with an IPv4 tail, which counts as 2).
        return halves.count == 2 ? count <= 6 : count == 8
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// The address in quotes for an error message, shortened when long.
    static func quoted(_ address: String) -> String {
        address.count > 80 ? "\"\(address.prefix(60))…\" (\(address.utf8.count) octets)" : "\"\(address)\""
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
