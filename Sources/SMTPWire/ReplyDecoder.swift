/// Turns bytes from the server into ``SMTPReply`` values (RFC 5321 §4.2).
///
/// Feed it whatever arrives; it keeps partial lines between reads, so a reply split across reads
/// or several replies in one read both decode correctly. Memory stays bounded against a hostile
/// server: a line longer than ``maxLineLength`` or a reply with more than ``maxLines`` lines is an error.
public struct ReplyDecoder: Sendable {
    /// The longest reply line accepted, CRLF included. RFC 5321 §4.5.3.1.5 sets 512; real servers
    /// send longer EHLO and error lines, so we allow a few times that.
    public static let maxLineLength = 4_096
    /// The most lines one reply may have.
    public static let maxLines = 256

    /// Why bytes could not be decoded.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What was wrong, including a printable excerpt of the line.
        public var message: String
        /// The message.
        public var description: String { message }
    }

    private var buffer: [UInt8] = []
    private var scanned = 0
    private var pendingLines: [String] = []
    private var pendingCode: Int?
    private var pendingEnhanced: [String?] = []

    /// An empty decoder.
    public init() {}

    /// Bytes received but not yet part of a complete reply.
    public var bufferedByteCount: Int { buffer.count }

    /// Forgets every byte received so far. Used after STARTTLS (RFC 3207 §4.2): anything read before
    /// the handshake is untrusted plaintext.
    public mutating func reset() {
        self = ReplyDecoder()
    }

    /// Adds bytes received from the server.
    public mutating func feed(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete reply, or `nil` when more bytes are needed.
    /// - Throws: ``Failure`` for a malformed or over-long line.
    public mutating func next() throws -> SMTPReply? {
        while let line = try nextLine() {
            guard line.count >= 3,
                  let code = Int(String(decoding: line.prefix(3), as: UTF8.self)), (200...599).contains(code),
                  line.count == 3 || line[3] == UInt8(ascii: " ") || line[3] == UInt8(ascii: "-") else {
                throw Failure(message: "the server sent a line that is not an SMTP reply: \(Self.excerpt(line))")
            }
            if let pendingCode, pendingCode != code {
                throw Failure(message: "a multi-line reply changed its code from \(pendingCode) to \(code)")
            }
            let isLast = line.count == 3 || line[3] == UInt8(ascii: " ")
            let text = line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : ""
            let (enhanced, rest) = Self.splitEnhancedCode(text, replyCode: code)
            pendingCode = code
            pendingLines.append(rest)
            pendingEnhanced.append(enhanced)
            guard pendingLines.count <= Self.maxLines else {
                throw Failure(message: "the server sent a reply of more than \(Self.maxLines) lines")
            }
            if isLast {
                let allEnhanced = Set(pendingEnhanced)
                let reply = SMTPReply(code: code,
                                      enhancedCode: allEnhanced.count == 1 ? allEnhanced.first! : pendingEnhanced.last!,
                                      lines: pendingLines)
                pendingLines = []
                pendingEnhanced = []
                pendingCode = nil
                return reply
            }
        }
        return nil
    }

    /// The next line without its line ending. Bare LF is tolerated from servers (robustness).
    private mutating func nextLine() throws -> [UInt8]? {
        guard let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = buffer.count
            if buffer.count > Self.maxLineLength {
                throw Failure(message: "the server sent a line longer than \(Self.maxLineLength) bytes")
            }
            return nil
        }
        guard newline < Self.maxLineLength else {
            throw Failure(message: "the server sent a line longer than \(Self.maxLineLength) bytes")
        }
        var end = newline
        if end > 0, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = Array(buffer[0..<end])
        buffer.removeSubrange(0...newline)
        scanned = 0
        return line
    }

    /// RFC 3463: `class.subject.detail` where class matches the reply's first digit.
    static func splitEnhancedCode(_ text: String, replyCode: Int) -> (String?, String) {
        let token = text.prefix { $0 != " " }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }),
              parts[0] == String(replyCode / 100) else {
            return (nil, text)
        }
        return (String(token), String(text.dropFirst(token.count).drop { $0 == " " }))
    }

    static func excerpt(_ line: [UInt8]) -> String {
        let printable = line.prefix(80).map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "?" }
        return "\"\(String(printable))\"" + (line.count > 80 ? "…" : "")
    }
}
