import Foundation

/// One check of a received message that matters for verification and password-reset mail.
public struct MessageCheck: Sendable, Equatable {
    /// How a check came out.
    public enum Status: String, Sendable, Equatable {
        /// Nothing wrong.
        case pass
        /// Something a recipient would notice or a filter would punish.
        case fail
        /// Not applicable to this message (e.g. no code was found).
        case skip
    }

    /// A stable name: `placeholders`, `code`, `lineLength`.
    public var name: String
    /// The outcome.
    public var status: Status
    /// What was found, in a sentence.
    public var detail: String

    /// Creates a check result.
    /// - Parameters:
    ///   - name: a stable name.
    ///   - status: the outcome.
    ///   - detail: what was found.
    public init(name: String, status: Status, detail: String) {
        self.name = name
        self.status = status
        self.detail = detail
    }

    /// The checks that need nothing but the message: leftover `{{...}}` placeholders, the code in
    /// every alternative, and lines over 998 octets (RFC 5322 §2.1.1).
    /// - Parameters:
    ///   - data: the message as received.
    ///   - content: the message taken apart.
    ///   - code: the code the message should carry; when nil, the first run of 4 to 8 digits in
    ///     the plain text (or else the HTML) is taken as the code.
    public static func standard(data: [UInt8], content: MessageContent, code: String?) -> [MessageCheck] {
        [placeholders(content), codeCheck(content, code: code), lineLength(data)]
    }

    static func placeholders(_ content: MessageContent) -> MessageCheck {
        let places: [(String, String?)] = [("subject", content.header("Subject")), ("text", content.text), ("html", content.html)]
        var found: [String] = []
        for (place, text) in places {
            guard let text else { continue }
            for match in text.matches(of: #/\{\{[^{}]{0,200}\}\}/#) { found.append("\(match.output) in \(place)") }
        }
        return found.isEmpty
            ? MessageCheck(name: "placeholders", status: .pass, detail: "no {{...}} placeholder left")
            : MessageCheck(name: "placeholders", status: .fail,
                           detail: "left unfilled: " + found.prefix(5).joined(separator: ", ") + " (the payload lacks these values)")
    }

    static func codeCheck(_ content: MessageContent, code: String?) -> MessageCheck {
        let alternatives = [("text/plain", content.text), ("text/html", content.html)].compactMap { name, body in body.map { (name, $0) } }
        guard !alternatives.isEmpty else { return MessageCheck(name: "code", status: .skip, detail: "the message has no text or HTML body") }
        let expected = code ?? alternatives.lazy.compactMap { firstCode(in: $0.1) }.first
        guard let expected, !expected.isEmpty else {
            return MessageCheck(name: "code", status: .skip, detail: "no code of 4 to 8 digits in the message")
        }
        let missing = alternatives.filter { !$0.1.contains(expected) }.map(\.0)
        let names = alternatives.map(\.0).joined(separator: " and ")
        return missing.isEmpty
            ? MessageCheck(name: "code", status: .pass, detail: "code \(expected) is in \(names)")
            : MessageCheck(name: "code", status: .fail,
                           detail: "code \(expected) is missing from \(missing.joined(separator: " and ")): a reader of that part cannot sign in")
    }

    /// The first run of 4 to 8 ASCII digits with no digit on either side.
    public static func firstCode(in text: String) -> String? {
        text.firstMatch(of: #/(?:^|[^0-9])([0-9]{4,8})(?:[^0-9]|$)/#).map { String($0.output.1) }
    }

    static func lineLength(_ data: [UInt8]) -> MessageCheck {
        var longest = 0, count = 0, start = 0
        for (index, byte) in data.enumerated() where byte == 0x0A {
            let length = index - start - (index > start && data[index - 1] == 0x0D ? 1 : 0)
            if length > 998 { count += 1 }
            longest = max(longest, length)
            start = index + 1
        }
        if data.count - start > 998 { count += 1 }  // a last line without its line break
        longest = max(longest, data.count - start)
        return count == 0
            ? MessageCheck(name: "lineLength", status: .pass, detail: "longest line \(longest) octets (limit 998)")
            : MessageCheck(name: "lineLength", status: .fail,
                           detail: "\(count) line(s) over 998 octets, longest \(longest): servers may break or reject them (RFC 5322 §2.1.1)")
    }
}
