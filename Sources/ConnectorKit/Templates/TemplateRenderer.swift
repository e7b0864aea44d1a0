/// Fills `{{ placeholder }}` markers in a template with values from a JSON payload.
///
/// - `{{code}}`, `{{ code }}`: spaces inside the braces are allowed.
/// - `{{ application.name }}`, `{{ list.0.name }}`: dot paths into objects and arrays.
/// - A placeholder whose first segment is not in the payload is left exactly as written, so a
///   template meant for another engine is not silently emptied.
/// - A missing nested value (`{{ user.missing }}` with a `user` object) becomes empty text.
public struct TemplateRenderer: Sendable {
    /// How an inserted value is made safe for where it lands.
    public enum Escaping: Sendable {
        /// Inserted as is (text/plain bodies).
        case none
        /// `&`, `<`, `>`, `"` and `'` become entities (text/html bodies). Logto does not do this; we do,
        /// so a user name like `<script>` cannot inject markup into an email.
        case html
        /// CR, LF, NUL and every other control character (C0, DEL, C1) and U+2028/U+2029 become
        /// spaces (subjects and other header values), so a value can never start a new header line.
        case headerLine
    }

    /// The payload placeholders are looked up in.
    public var payload: ConfigValue

    /// Creates a renderer for `payload` (normally a JSON object).
    public init(payload: ConfigValue) {
        self.payload = payload
    }

    /// Renders `template`, escaping every inserted value with `escaping`.
    public func render(_ template: String, escaping: Escaping) -> String {
        var text = template
        // One pass over the UTF-8 bytes: a body of a few kilobytes is scanned on every send, and
        // Foundation's `range(of:)` bridges to NSString for each search. The markers are ASCII, so
        // a byte match is always at a scalar boundary.
        return text.withUTF8 { render(bytes: $0, escaping: escaping) } ?? template
    }

    /// The rendered bytes as text, or nil when `bytes` holds no `{{` (the template is its own output).
    private func render(bytes: UnsafeBufferPointer<UInt8>, escaping: Escaping) -> String? {
        guard var open = Self.find(0x7B, in: bytes, from: 0) else { return nil }  // "{{"
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16)
        var copied = 0
        while true {
            guard let close = Self.find(0x7D, in: bytes, from: open + 2) else { break }  // "}}"
            output.append(contentsOf: bytes[copied..<open])
            let path = String(decoding: bytes[(open + 2)..<close], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if let value = lookUp(path) {
                output.append(contentsOf: Self.escape(value.templateText, escaping).utf8)
            } else {
                output.append(contentsOf: bytes[open..<(close + 2)])
            }
            copied = close + 2
            guard let next = Self.find(0x7B, in: bytes, from: copied) else { break }
            open = next
        }
        output.append(contentsOf: bytes[copied...])
        return String(decoding: output, as: UTF8.self)
    }

    /// The offset of the first pair `byte byte` at or after `start`.
    private static func find(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == byte {
                if bytes[index + 1] == byte { return index }
                index += 1
            } else {
                index += 1
            }
        }
        return nil
    }

    /// The value for `path`, empty when only a nested part is missing, `nil` when the root is unknown.
    private func lookUp(_ path: String) -> ConfigValue? {
        guard !path.isEmpty, !path.contains(where: { $0.isWhitespace }) else { return nil }
        let root = String(path.prefix { $0 != "." })
        guard payload[root] != nil else { return nil }
        return payload.value(atPath: path) ?? .string("")
    }

    static func escape(_ text: String, _ escaping: Escaping) -> String {
        switch escaping {
        case .none:
            return text
        case .html:
            var escaped = ""
            escaped.reserveCapacity(text.utf8.count)
            for character in text {
                switch character {
                case "&": escaped += "&amp;"
                case "<": escaped += "&lt;"
                case ">": escaped += "&gt;"
                case "\"": escaped += "&quot;"
                case "'": escaped += "&#39;"
                default: escaped.append(character)
                }
            }
            return escaped
        case .headerLine:
            return String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
                // C0, DEL, C1 (NEL, U+0085, is a line break to some readers) and the Unicode line and
                // paragraph separators: none may reach a header line as a break.
                scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
                    ? " " : scalar
            }))
        }
    }
}
