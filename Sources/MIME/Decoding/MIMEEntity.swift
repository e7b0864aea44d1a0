import Foundation

/// One MIME entity (RFC 2045 §2.4): header fields and a body, read leniently for inspection.
package struct MIMEEntity {
    /// Header fields, unfolded (RFC 5322 §2.2.3), in order.
    package let headers: [(name: String, value: String)]
    /// The body as sent (transfer encoding not undone).
    package let body: ArraySlice<UInt8>

    package init(_ bytes: some Collection<UInt8>) {
        let all = Array(bytes)
        var fields: [(String, String)] = []
        var index = 0
        var bodyStart = all.count
        while index < all.count {
            var end = all[index...].firstIndex(of: 0x0A) ?? all.count
            let next = end + 1
            if end > index, all[end - 1] == 0x0D { end -= 1 }
            let line = String(decoding: all[index..<end], as: UTF8.self)
            index = next
            if line.isEmpty { bodyStart = min(index, all.count); break }
            // RFC 5322 §2.2.3: unfolding removes the CRLF and nothing else, so runs of spaces
            // around a fold survive; only the value's ends are trimmed, once it is whole.
            if let first = line.first, first == " " || first == "\t", let last = fields.indices.last {
                fields[last].1 += line
            } else if let colon = line.firstIndex(of: ":") {
                fields.append((String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                               String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })))
            }
        }
        headers = fields.map { ($0.0, $0.1.trimmingCharacters(in: .whitespaces)) }
        body = all[min(bodyStart, all.count)...]
    }

    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The media type in lower case; text/plain when absent (RFC 2045 §5.2).
    package var mediaType: String {
        let value = header("Content-Type")?.split(separator: ";").first.map(String.init) ?? "text/plain"
        return value.trimmingCharacters(in: .whitespaces).lowercased()
    }

    package var isAttachment: Bool {
        header("Content-Disposition")?.lowercased().hasPrefix("attachment") ?? false
    }

    /// `filename` from Content-Disposition, else `name` from Content-Type.
    package var filename: String? {
        Self.parameter("filename", in: header("Content-Disposition")) ?? parameter("name")
    }

    /// A Content-Type parameter, unquoted; RFC 2231 `name*=charset''value` and continuations decoded.
    package func parameter(_ name: String) -> String? {
        Self.parameter(name, in: header("Content-Type"))
    }

    package static func parameter(_ name: String, in field: String?) -> String? {
        guard let field else { return nil }
        var plain: String?
        var extended: [(Int, String, Bool)] = []
        for piece in splitParameters(field).dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let key = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            if key == name { plain = value; continue }
            guard key.hasPrefix(name + "*") else { continue }
            let rest = key.dropFirst(name.count + 1)
            let encoded = rest.hasSuffix("*") || rest.isEmpty
            let number = Int(rest.trimmingCharacters(in: CharacterSet(charactersIn: "*"))) ?? 0
            extended.append((number, value, encoded))
        }
        guard !extended.isEmpty else { return plain }
        var bytes: [UInt8] = []
        for (offset, (_, value, encoded)) in extended.sorted(by: { $0.0 < $1.0 }).enumerated() {
            var text = Substring(value)
            // The first section carries charset'language' (RFC 2231 §4).
            if encoded, offset == 0, let quote = text.firstIndex(of: "'"),
               let second = text[text.index(after: quote)...].firstIndex(of: "'") {
                text = text[text.index(after: second)...]
            }
            bytes += encoded ? percentDecoded(text) : Array(text.utf8)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Splits at `;` outside quoted strings.
    private static func splitParameters(_ field: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        for character in field {
            if character == "\"" { quoted.toggle() }
            if character == ";", !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        return pieces
    }

    private static func percentDecoded(_ text: Substring) -> [UInt8] {
        var output: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { output.append(byte); continue }
            let pair = [iterator.next(), iterator.next()].compactMap { $0 }
            if pair.count == 2, let value = UInt8(String(decoding: pair, as: UTF8.self), radix: 16) {
                output.append(value)
            } else {
                output += [byte] + pair  // not an escape: kept as written
            }
        }
        return output
    }

    /// The body with its Content-Transfer-Encoding undone.
    package var decodedBody: [UInt8] {
        switch header("Content-Transfer-Encoding")?.lowercased() {
        case "base64":
            let compact = String(decoding: body.filter { !($0 == 0x0D || $0 == 0x0A || $0 == 0x20 || $0 == 0x09) }, as: UTF8.self)
            return Data(base64Encoded: compact, options: .ignoreUnknownCharacters).map(Array.init) ?? Array(body)
        case "quoted-printable":
            return Self.quotedPrintableDecoded(body)
        default:
            return Array(body)
        }
    }

    /// RFC 2045 §6.7: `=XX` octets and `=` soft line breaks.
    package static func quotedPrintableDecoded(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var index = body.startIndex
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x37
            case 0x61...0x66: byte - 0x57
            default: nil
            }
        }
        while index < body.endIndex {
            let byte = body[index]
            guard byte == UInt8(ascii: "=") else { output.append(byte); index += 1; continue }
            let rest = body[(index + 1)...]
            if rest.first == 0x0D, rest.dropFirst().first == 0x0A { index += 3; continue }
            if rest.first == 0x0A { index += 2; continue }
            if rest.count >= 2, let high = hex(rest[rest.startIndex]), let low = hex(rest[rest.startIndex + 1]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    /// The body parts between `--boundary` delimiter lines (RFC 2046 §5.1.1).
    package func parts(boundary: String) -> [MIMEEntity] {
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [MIMEEntity] = []
        var partStart: Int?
        var index = body.startIndex
        while index < body.endIndex {
            let lineEnd = body[index...].firstIndex(of: 0x0A) ?? body.endIndex
            var contentEnd = lineEnd
            if contentEnd > index, body[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let line = body[index..<contentEnd]
            let tail = line.dropFirst(delimiter.count)
            if line.starts(with: delimiter), tail.starts(with: Array("--".utf8)) || tail.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                if let start = partStart {
                    // The CRLF before a delimiter belongs to the delimiter.
                    var end = index
                    if end > start, body[end - 1] == 0x0A { end -= 1 }
                    if end > start, body[end - 1] == 0x0D { end -= 1 }
                    parts.append(MIMEEntity(body[start..<end]))
                }
                if tail.starts(with: Array("--".utf8)) { return parts }
                partStart = min(lineEnd + 1, body.endIndex)
            }
            index = min(lineEnd + 1, body.endIndex)
        }
        return parts
    }
}
