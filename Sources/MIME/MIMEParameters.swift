/// Header parameters such as `filename`, with RFC 2231 encoding for names in any script.
enum MIMEParameters {
    /// attribute-char (RFC 2231 §7): what may stand unencoded in an extended value.
    private static let attributeCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&+-.^_`|~".utf8)

    /// `; name="value"` when plain ASCII suffices; otherwise `; name*=utf-8''%XX…`, split into
    /// `name*0*`, `name*1*`… continuations so no line passes 78 characters. Each segment starts
    /// on a folded line.
    static func format(_ name: String, _ value: String) -> String {
        // Readers decode RFC 2047 encoded-words even inside a quoted filename (Python's email and
        // common mail clients do), so a value with "=?" goes RFC 2231-encoded, where none do.
        let plain = value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" }
            && !value.contains("=?")
        if plain, value.utf8.count + name.utf8.count <= 70 {
            return ";\r\n \(name)=\"\(value)\""
        }
        var chunks: [String] = []
        var current = ""
        func add(_ piece: String) {
            var encoded = ""
            for byte in piece.utf8 {
                encoded += attributeCharacters.contains(byte) ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
            }
            if current.utf8.count + encoded.utf8.count > 54, !current.isEmpty {
                chunks.append(current)
                current = ""
            }
            current += encoded
        }
        // Segments break between characters, or between the code points of a character too long
        // for one segment (a letter with many combining marks), so every line stays short.
        for character in value {
            if String(character).utf8.count <= 18 {
                add(String(character))
            } else {
                character.unicodeScalars.forEach { add(String($0)) }
            }
        }
        chunks.append(current)
        if chunks.count == 1 {
            return ";\r\n \(name)*=utf-8''\(chunks[0])"
        }
        return chunks.enumerated().map { index, chunk in
            ";\r\n \(name)*\(index)*=\(index == 0 ? "utf-8''" : "")\(chunk)"
        }.joined()
    }
}
