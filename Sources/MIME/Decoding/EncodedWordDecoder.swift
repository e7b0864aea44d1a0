import Foundation

/// Decodes RFC 2047 encoded-words (`=?UTF-8?B?...?=`, `=?UTF-8?Q?...?=`) for display, so the
/// DevServer and the console can show a subject the way a mail client would. The decoding half of
/// ``EncodedWord``.
package enum EncodedWordDecoder {
    package static func decode(_ text: String) -> String {
        let pattern = #/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/#
        var output = ""
        var rest = text[...]
        var previousWasEncoded = false
        while let match = rest.firstMatch(of: pattern) {
            let between = rest[..<match.range.lowerBound]
            // RFC 2047 §6.2: whitespace between two adjacent encoded-words is not displayed.
            if !(previousWasEncoded && between.allSatisfy(\.isWhitespace)) { output += between }
            let (_, charset, encoding, payload) = match.output
            if let decoded = decodeWord(charset: String(charset), encoding: String(encoding), payload: String(payload)) {
                output += decoded
            } else {
                output += rest[match.range]
            }
            previousWasEncoded = true
            rest = rest[match.range.upperBound...]
        }
        return output + rest
    }

    private static func decodeWord(charset: String, encoding: String, payload: String) -> String? {
        let bytes: Data?
        if encoding.uppercased() == "B" {
            bytes = Data(base64Encoded: payload)
        } else {
            var data = Data()
            var index = payload.startIndex
            while index < payload.endIndex {
                let character = payload[index]
                if character == "_" {
                    data.append(0x20)
                } else if character == "=", let end = payload.index(index, offsetBy: 3, limitedBy: payload.endIndex),
                          let byte = UInt8(payload[payload.index(after: index)..<end], radix: 16) {
                    data.append(byte)
                    index = payload.index(before: end)
                } else {
                    data.append(contentsOf: Array(String(character).utf8))
                }
                index = payload.index(after: index)
            }
            bytes = data
        }
        guard let bytes else { return nil }
        let lowered = charset.lowercased()
        let encodingName: String.Encoding = lowered == "utf-8" || lowered == "utf8" ? .utf8 : .isoLatin1
        return String(data: bytes, encoding: encodingName)
    }
}
