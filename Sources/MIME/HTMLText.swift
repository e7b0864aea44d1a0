import Foundation

/// A readable plain-text version of an HTML body, for the text/plain alternative that spam
/// filters expect next to HTML: links kept as "text (url)", tags removed, entities decoded.
public enum HTMLText {
    /// Converts `html` to plain text.
    public static func plainText(from html: String) -> String {
        var text = html
        text = text.replacingOccurrences(of: #"(?is)<(script|style|head|title)\b.*?</\1\s*>"#, with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: #"(?s)<!--.*?-->"#, with: "", options: .regularExpression)
        // Whitespace in HTML source is not layout.
        text = text.replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
        text = replaceLinks(text)
        text = text.replacingOccurrences(of: #"(?i)<br\s*/?>"#, with: "\n", options: .regularExpression)
        text = text.replacingOccurrences(of: #"(?i)<li\b[^>]*>"#, with: "\n- ", options: .regularExpression)
        text = text.replacingOccurrences(of: #"(?i)</?(p|div|h[1-6]|table|ul|ol|blockquote|section|article|header|footer)\b[^>]*>"#,
                                         with: "\n\n", options: .regularExpression)
        text = text.replacingOccurrences(of: #"(?i)</?(tr|hr)\b[^>]*>"#, with: "\n", options: .regularExpression)
        text = text.replacingOccurrences(of: #"(?i)</t[dh]\s*>"#, with: " ", options: .regularExpression)
        text = text.replacingOccurrences(of: #"<[^>]*>"#, with: "", options: .regularExpression)
        text = decodeEntities(text)
        let lines = text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var result: [String] = []
        for line in lines where !(line.isEmpty && (result.last?.isEmpty ?? true)) {
            result.append(line)
        }
        while result.last?.isEmpty == true { result.removeLast() }
        return result.joined(separator: "\n") + "\n"
    }

    /// `<a href="url">label</a>` becomes `label (url)`, or just `url` when the label is the url.
    private static func replaceLinks(_ html: String) -> String {
        let pattern = try! NSRegularExpression(pattern: #"(?is)<a\b[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>(.*?)</a\s*>"#)
        let source = html as NSString
        var output = ""
        var last = 0
        for match in pattern.matches(in: html, range: NSRange(location: 0, length: source.length)) {
            output += source.substring(with: NSRange(location: last, length: match.range.location - last))
            let href = [1, 2, 3].map { match.range(at: $0) }.first { $0.location != NSNotFound }.map { source.substring(with: $0) } ?? ""
            let label = source.substring(with: match.range(at: 4))
            let labelText = decodeEntities(label.replacingOccurrences(of: #"<[^>]*>"#, with: "", options: .regularExpression))
                .trimmingCharacters(in: .whitespaces)
            let url = decodeEntities(href)
            if labelText.isEmpty || labelText == url || url.hasPrefix("#") || url.isEmpty {
                output += labelText.isEmpty ? url : labelText
            } else {
                output += "\(labelText) (\(url.hasPrefix("mailto:") ? String(url.dropFirst(7)) : url))"
            }
            last = match.range.location + match.range.length
        }
        output += source.substring(from: last)
        return output
    }

    private static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "copy": "©", "reg": "®",
        "trade": "™", "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "ldquo": "“",
        "rdquo": "”", "euro": "€", "pound": "£", "yen": "¥", "middot": "·", "bull": "•", "laquo": "«", "raquo": "»",
    ]

    /// Decodes named entities from a common set and every numeric one (`&#233;`, `&#xE9;`).
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let pattern = try! NSRegularExpression(pattern: #"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});"#)
        let source = text as NSString
        var output = ""
        var last = 0
        for match in pattern.matches(in: text, range: NSRange(location: 0, length: source.length)) {
            output += source.substring(with: NSRange(location: last, length: match.range.location - last))
            let entity = source.substring(with: match.range(at: 1))
            var replacement: String?
            if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
            } else if entity.hasPrefix("#") {
                replacement = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
            } else {
                replacement = named[entity]
            }
            output += replacement ?? source.substring(with: match.range)
            last = match.range.location + match.range.length
        }
        output += source.substring(from: last)
        return output
    }
}
