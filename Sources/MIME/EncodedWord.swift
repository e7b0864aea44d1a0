/// RFC 2047 encoded-words: how non-ASCII text travels in a header.
enum EncodedWord {
    /// An encoded-word is at most 75 characters (RFC 2047 §2): `=?UTF-8?B?` + base64 + `?=` leaves 63
    /// for base64, i.e. 45 raw octets (a multiple of 3, so no padding falls mid-text).
    static let maxRawOctets = 45

    /// Encodes `text` as B-encoded words, never splitting a character across two words (§5).
    ///
    /// Words break between grapheme clusters where they can, so a reader's display is not cut inside
    /// a letter and its accents; a cluster too long for one word (a letter with dozens of combining
    /// marks) is split between its code points, the "characters" of §5 for UTF-8.
    /// - Parameter firstWordLimit: the longest the first word may be, so that a header line holding
    ///   an encoded-word stays within 76 characters (§2) after its `Name: ` prefix.
    static func encode(_ text: String, firstWordLimit: Int = 75) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func add(_ bytes: [UInt8]) {
            let limit = words.isEmpty ? max(4, (min(firstWordLimit, 75) - 12) / 4 * 3) : maxRawOctets
            if chunk.count + bytes.count > limit, !chunk.isEmpty {
                words.append(word(chunk))
                chunk.removeAll(keepingCapacity: true)
            }
            chunk.append(contentsOf: bytes)
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if bytes.count <= maxRawOctets {
                add(bytes)
            } else {
                for scalar in character.unicodeScalars { add(Array(String(scalar).utf8)) }
            }
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words
    }

    private static func word(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?\(Base64.encode(bytes))?="
    }

    /// Whether `text` can go into a header as it is: printable ASCII and tabs only, and nothing a
    /// decoder would mistake for an encoded-word.
    static func isPlain(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { ($0.value >= 0x20 && $0.value < 0x7F) || $0 == "\t" } && !text.containsOctets("=?")
    }
}
