/// Content-transfer-encodings over bytes (RFC 2045 §6), written for speed: one pass, no
/// intermediate strings.
enum BodyEncoding: String {
    case sevenBit = "7bit"
    case quotedPrintable = "quoted-printable"
    case base64 = "base64"

    /// Picks the encoding for text: 7bit when ASCII with lines of at most 998 octets and no NUL;
    /// base64 when more than a third is non-ASCII; quoted-printable otherwise (readable, compact).
    static func forText(_ bytes: [UInt8]) -> BodyEncoding {
        var nonASCII = 0, lineLength = 0, longest = 0, hasNUL = false
        for byte in bytes {
            if byte >= 0x80 { nonASCII += 1 }
            if byte == 0 { hasNUL = true }
            if byte == 0x0A { longest = max(longest, lineLength); lineLength = 0 } else { lineLength += 1 }
        }
        longest = max(longest, lineLength)
        if nonASCII == 0, !hasNUL, longest <= 999 { return .sevenBit }  // 998 + the CR
        return nonASCII * 3 > bytes.count ? .base64 : .quotedPrintable
    }

    func encode(_ bytes: [UInt8], into output: inout [UInt8]) {
        switch self {
        case .sevenBit:
            output += bytes
            if let last = bytes.last, last != 0x0A { output += [0x0D, 0x0A] }
        case .quotedPrintable:
            QuotedPrintable.encode(bytes, into: &output)
        case .base64:
            Base64.encodeLines(bytes, into: &output)
        }
    }
}

/// Line-ending normalization over bytes: CRLF, lone CR and lone LF all become CRLF
/// (RFC 5321 §2.3.8: no bare CR or LF may reach the wire).
enum LineEndings {
    static func normalize(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 32)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D {
                output += [0x0D, 0x0A]
                if index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
            } else if byte == 0x0A {
                output += [0x0D, 0x0A]
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }
}
