/// The content-transfer-encodings the composer writes (RFC 2045 §6); ``TextBody`` picks one for text.
enum BodyEncoding: String {
    case sevenBit = "7bit"
    case quotedPrintable = "quoted-printable"
    case base64 = "base64"
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
