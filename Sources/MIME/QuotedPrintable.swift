/// Quoted-printable body encoding (RFC 2045 §6.7) for text that is mostly ASCII.
enum QuotedPrintable {
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Encodes `text`, whose line breaks must already be CRLF. Output lines are at most 76 characters.
    static func encode(_ text: String) -> String {
        var output: [UInt8] = []
        encode(Array(text.utf8), into: &output)
        if output.count >= 2, output[output.count - 2] == 0x0D, output.last == 0x0A, !text.hasSuffix("\r\n") {
            output.removeLast(2)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Encodes CRLF-separated `bytes` and appends them to `output`, ending with CRLF.
    static func encode(_ bytes: [UInt8], into output: inout [UInt8]) {
        output.reserveCapacity(output.count + bytes.count + bytes.count / 4)
        var lineStart = 0
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count, !(bytes[lineEnd] == 0x0D && lineEnd + 1 < bytes.count && bytes[lineEnd + 1] == 0x0A) {
                lineEnd += 1
            }
            encodeLine(bytes, lineStart, lineEnd, into: &output)
            output += [0x0D, 0x0A]
            if lineEnd >= bytes.count { break }
            lineStart = lineEnd + 2
            if lineStart == bytes.count { break }  // the text ended with CRLF: no empty last line
        }
    }

    private static func encodeLine(_ bytes: [UInt8], _ start: Int, _ end: Int, into output: inout [UInt8]) {
        var lineLength = 0
        var index = start
        while index < end {
            let byte = bytes[index]
            let isLast = index == end - 1
            let literal: Bool
            switch byte {
            case 0x21...0x3C, 0x3E...0x7E: literal = true
            // Rule 3: whitespace at the end of a line must be encoded or it may be stripped.
            case 0x20, 0x09: literal = !isLast
            default: literal = false
            }
            let width = literal ? 1 : 3
            // Rule 5: a soft line break ("=" CRLF) keeps every line within 76 characters.
            if lineLength + width > (isLast ? 76 : 75) {
                output += [UInt8(ascii: "="), 0x0D, 0x0A]
                lineLength = 0
            }
            if literal {
                output.append(byte)
            } else {
                output += [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
            lineLength += width
            index += 1
        }
    }
}
