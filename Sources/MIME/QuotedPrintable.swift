/// Quoted-printable body encoding (RFC 2045 §6.7) for text that is mostly ASCII.
enum QuotedPrintable {
    /// Encodes `text`, whose line breaks must already be CRLF. Output lines are at most 76 characters.
    static func encode(_ text: String) -> String {
        var output = ""
        let lines = text.components(separatedBy: "\r\n")
        for (index, line) in lines.enumerated() {
            if index > 0 { output += "\r\n" }
            output += encodeLine(Array(line.utf8))
        }
        return output
    }

    private static let hex = Array("0123456789ABCDEF".utf8)

    private static func encodeLine(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var lineLength = 0
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            var token: [UInt8]
            switch byte {
            case 0x21...0x3C, 0x3E...0x7E:
                token = [byte]
            case 0x20, 0x09:
                // Rule 3: whitespace at the end of a line must be encoded or it may be stripped.
                token = isLast ? escape(byte) : [byte]
            default:
                token = escape(byte)
            }
            // Rule 5: a soft line break ("=" CRLF) keeps every line within 76 characters.
            if lineLength + token.count > (isLast ? 76 : 75) {
                output += Array("=\r\n".utf8)
                lineLength = 0
            }
            output += token
            lineLength += token.count
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func escape(_ byte: UInt8) -> [UInt8] {
        [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
    }
}
