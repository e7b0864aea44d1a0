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
    /// Where the unread bytes of `buffer` begin; consumed lines are dropped in one move per feed.
    private var start = 0
    private var scanned = 0
    private var pendingLines: [String] = []
    private var pendingCode: Int?
    private var pendingEnhanced: [String?] = []

    /// An empty decoder.
    public init() {}

    /// Bytes received but not yet part of a complete reply.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Forgets every byte received so far. Used after STARTTLS (RFC 3207 §4.2): anything read before
    /// the handshake is untrusted plaintext.
    public mutating func reset() {
        self = ReplyDecoder()
    }

    /// Adds bytes received from the server.
    public mutating func feed(_ bytes: [UInt8]) {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            scanned -= start
            start = 0
        }
        if buffer.isEmpty { buffer = bytes } else { buffer.append(contentsOf: bytes) }
    }

    /// The next complete reply, or `nil` when more bytes are needed.
    /// - Throws: ``Failure`` for a malformed or over-long line.
    public mutating func next() throws -> SMTPReply? {
        while let line = try nextLine() {
            guard let code = Self.replyCode(line) else {
                throw Failure(message: "the server sent a line that is not an SMTP reply: \(Self.excerpt(Array(line)))")
            }
            if let pendingCode, pendingCode != code {
                throw Failure(message: "a multi-line reply changed its code from \(pendingCode) to \(code)")
            }
            let isLast = line.count == 3 || line[line.startIndex + 3] == UInt8(ascii: " ")
            let (enhanced, rest) = Self.splitEnhancedCode(line.dropFirst(4), replyCode: code)
            pendingCode = code
            pendingLines.append(rest)
            pendingEnhanced.append(enhanced)
            guard pendingLines.count <= Self.maxLines else {
                throw Failure(message: "the server sent a reply of more than \(Self.maxLines) lines")
            }
            if isLast {
                // RFC 2034: the reply has an enhanced code when every line carries the same one.
                let first = pendingEnhanced[0]
                let reply = SMTPReply(code: code,
                                      enhancedCode: pendingEnhanced.allSatisfy { $0 == first } ? first : pendingEnhanced.last!,
                                      lines: pendingLines)
                pendingLines = []
                pendingEnhanced = []
                pendingCode = nil
                return reply
            }
        }
        return nil
    }

    /// Three digits from 200 to 599, then the end of the line, a space or a hyphen (RFC 5321 §4.2).
    private static func replyCode(_ line: ArraySlice<UInt8>) -> Int? {
        guard line.count >= 3 else { return nil }
        var code = 0
        for byte in line.prefix(3) {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            code = code * 10 + Int(byte - UInt8(ascii: "0"))
        }
        guard (200...599).contains(code) else { return nil }
        if line.count > 3, line[line.startIndex + 3] != UInt8(ascii: " "), line[line.startIndex + 3] != UInt8(ascii: "-") { return nil }
        return code
    }

    /// The next line without its line ending. Bare LF is tolerated from servers (robustness).
    private mutating func nextLine() throws -> ArraySlice<UInt8>? {
        guard let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = buffer.count
            if buffer.count - start > Self.maxLineLength {
                throw Failure(message: "the server sent a line longer than \(Self.maxLineLength) bytes")
            }
            return nil
        }
        guard newline - start < Self.maxLineLength else {
            throw Failure(message: "the server sent a line longer than \(Self.maxLineLength) bytes")
        }
        var end = newline
        if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = buffer[start..<end]
        start = newline + 1
        scanned = start
        return line
    }

    /// RFC 3463: `class.subject.detail` where class matches the reply's first digit.
    static func splitEnhancedCode(_ text: String, replyCode: Int) -> (String?, String) {
        splitEnhancedCode(Array(text.utf8)[...], replyCode: replyCode)
    }

    /// RFC 3463 §2: the class is the reply code's first digit; subject and detail are 1-3 digits.
    static func splitEnhancedCode(_ text: ArraySlice<UInt8>, replyCode: Int) -> (String?, String) {
        let space = UInt8(ascii: " ")
        let tokenEnd = text.firstIndex(of: space) ?? text.endIndex
        let parts = text[..<tokenEnd].split(separator: UInt8(ascii: "."), maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 1, parts[0].first == UInt8(ascii: "0") + UInt8(replyCode / 100),
              parts.allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }) else {
            return (nil, String(decoding: text, as: UTF8.self))
        }
        let rest = text[tokenEnd...].drop { $0 == space }
        return (String(decoding: text[..<tokenEnd], as: UTF8.self), String(decoding: rest, as: UTF8.self))
    }

    static func excerpt(_ line: [UInt8]) -> String {
        let printable = line.prefix(80).map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "?" }
        return "\"\(String(printable))\"" + (line.count > 80 ? "…" : "")
    }
}
