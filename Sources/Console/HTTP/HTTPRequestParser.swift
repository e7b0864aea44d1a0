/// Reads HTTP/1.1 requests (RFC 9112) from bytes as they arrive; no I/O, so it is tested by
/// feeding it bytes, like the SMTP reply decoder.
///
/// Strict where leniency lets requests be smuggled or misread: lines end in CRLF only, no
/// whitespace before a field's colon, no obsolete line folding, exactly one Host, a body only by
/// Content-Length (Transfer-Encoding is refused), and limits on the head and the body. After an
/// error the parser stays failed: the server answers and closes the connection.
///
/// ```swift
/// var parser = HTTPRequestParser()
/// parser.feed(bytes)
/// while let request = try parser.next() { ... }
/// ```
public struct HTTPRequestParser: Sendable {
    /// Size limits.
    public struct Limits: Sendable, Equatable {
        /// Octets in the request line and header fields together (default 16 KiB; 431 above).
        public var maxHeadBytes = 16_384
        /// Header fields (default 100; 431 above).
        public var maxHeaderFields = 100
        /// Octets of body (default 1 MiB; 413 above).
        public var maxBodyBytes = 1_048_576

        /// The defaults, or other limits.
        /// - Parameters:
        ///   - maxHeadBytes: octets in the request line and header fields together.
        ///   - maxHeaderFields: header fields.
        ///   - maxBodyBytes: octets of body.
        public init(maxHeadBytes: Int = 16_384, maxHeaderFields: Int = 100, maxBodyBytes: Int = 1_048_576) {
            self.maxHeadBytes = maxHeadBytes
            self.maxHeaderFields = maxHeaderFields
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// The limits in force.
    public let limits: Limits
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the end of the head goes on (bytes before it were searched).
    private var scanned = 0
    /// A head read, waiting for its body.
    private var pending: (request: HTTPRequest, bodyLength: Int)?
    private var failure: HTTPParseError?

    /// Creates a parser.
    /// - Parameter limits: size limits.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Whether part of a request was received and the rest is still due.
    public var hasPartialRequest: Bool { buffer.count > start || pending != nil }

    /// Octets kept: those of requests not yet complete, plus at most the consumed bytes that
    /// ``compactionThreshold`` lets wait (so a kept-alive connection cannot grow memory).
    public var retainedByteCount: Int { buffer.count }

    /// Consumed bytes are dropped from the front once there are this many, or once they are half
    /// the buffer: amortized O(1) per byte, and never more than this plus the pending request kept.
    public static let compactionThreshold = 4_096

    /// Adds received bytes.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete request, or nil until more bytes arrive.
    /// - Throws: ``HTTPParseError`` with the status to answer; every later call throws it again.
    public mutating func next() throws(HTTPParseError) -> HTTPRequest? {
        if let failure { throw failure }
        do {
            return try readRequest()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func readRequest() throws(HTTPParseError) -> HTTPRequest? {
        if pending == nil {
            // RFC 9112 §2.2: empty lines before a request line are ignored.
            while buffer.count - start >= 2, buffer[start] == 13, buffer[start + 1] == 10 { start += 2 }
            scanned = max(scanned, start)
            compact()  // a client sending nothing but empty lines must not grow the buffer either
            guard let end = headEnd() else {
                if buffer.count - start > limits.maxHeadBytes { throw HTTPParseError(431, "the request head is over \(limits.maxHeadBytes) octets") }
                return nil
            }
            guard end - start <= limits.maxHeadBytes else { throw HTTPParseError(431, "the request head is over \(limits.maxHeadBytes) octets") }
            let head = Array(buffer[start..<end])
            start = end + 4
            scanned = start
            pending = try HTTPHeadReader(limits: limits).read(head)
        }
        guard let (request, length) = pending, buffer.count - start >= length else { return nil }
        var complete = request
        complete.body = Array(buffer[start..<start + length])
        start += length
        pending = nil
        compact()
        return complete
    }

    /// Drops the consumed bytes from the front of the buffer (see ``compactionThreshold``). Reads
    /// on a kept-alive connection usually end inside the next request, so waiting for the buffer to
    /// be exactly consumed would keep every request ever received.
    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 4 * Self.compactionThreshold)
        } else if start >= Self.compactionThreshold || start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
        } else {
            return
        }
        scanned = max(0, scanned - start)
        start = 0
    }

    /// The index of the CRLF CRLF that ends the head, searching only bytes not searched before.
    private mutating func headEnd() -> Int? {
        var index = max(start, scanned - 3)
        while index + 3 < buffer.count {
            if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 { return index }
            index += 1
        }
        scanned = max(start, buffer.count - 3)
        return nil
    }
}
