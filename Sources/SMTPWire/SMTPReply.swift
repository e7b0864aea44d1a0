/// One SMTP reply: a three-digit code, an optional enhanced status code (RFC 3463) and text lines.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    /// The reply code, e.g. 250.
    public var code: Int
    /// The enhanced status code, e.g. "2.1.0", when every line carried one (RFC 2034).
    public var enhancedCode: String?
    /// The text of each line, without the code and enhanced code.
    public var lines: [String]

    /// Creates a reply.
    public init(code: Int, enhancedCode: String? = nil, lines: [String]) {
        self.code = code
        self.enhancedCode = enhancedCode
        self.lines = lines
    }

    /// 2xx.
    public var isPositive: Bool { (200..<300).contains(code) }
    /// 3xx: the server waits for more (334 AUTH challenge, 354 send the data).
    public var isIntermediate: Bool { (300..<400).contains(code) }
    /// 4xx: try again later.
    public var isTransient: Bool { (400..<500).contains(code) }
    /// 5xx: do not try again unchanged.
    public var isPermanent: Bool { code >= 500 }

    /// The lines joined with spaces.
    public var text: String { lines.joined(separator: " ") }

    /// `250 2.0.0 Ok: queued as ABC`.
    public var description: String {
        [String(code), enhancedCode, text].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}
