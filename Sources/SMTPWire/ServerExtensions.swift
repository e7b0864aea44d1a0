/// What a server advertised in its EHLO reply (RFC 5321 §4.1.1.1).
public struct ServerExtensions: Sendable, Equatable {
    /// Keywords (upper-cased) with their parameters.
    public private(set) var keywords: [String: [String]]

    /// Parses the lines after the first (which is the server's greeting name).
    public init(ehloReply reply: SMTPReply) {
        var keywords: [String: [String]] = [:]
        for line in reply.lines.dropFirst() {
            let words = line.split(separator: " ").map(String.init)
            guard let keyword = words.first?.uppercased() else { continue }
            keywords[keyword, default: []].append(contentsOf: words.dropFirst())
        }
        self.keywords = keywords
    }

    /// No extensions (after HELO).
    public init() { keywords = [:] }

    /// Whether `keyword` was advertised.
    public func supports(_ keyword: String) -> Bool { keywords[keyword.uppercased()] != nil }

    /// STARTTLS (RFC 3207).
    public var startTLS: Bool { supports("STARTTLS") }
    /// PIPELINING (RFC 2920).
    public var pipelining: Bool { supports("PIPELINING") }
    /// 8BITMIME (RFC 6152).
    public var eightBitMIME: Bool { supports("8BITMIME") }
    /// SMTPUTF8 (RFC 6531).
    public var smtpUTF8: Bool { supports("SMTPUTF8") }

    /// The SASL mechanisms offered (upper-cased). Includes the pre-standard `AUTH=LOGIN` form.
    public var authMechanisms: Set<String> {
        Set((keywords["AUTH"] ?? []).map { $0.uppercased() } + (keywords["AUTH=LOGIN"] != nil ? ["LOGIN"] : []))
    }

    /// The SIZE limit in octets (RFC 1870), when the server announced one (0 means no limit).
    public var maximumSize: Int? {
        guard let value = keywords["SIZE"]?.first, let size = Int(value), size > 0 else { return nil }
        return size
    }
}
