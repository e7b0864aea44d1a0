/// Reads a request line and header fields (the bytes before CRLF CRLF) into a request without its
/// body, checking what RFC 9112 requires of a server.
struct HTTPHeadReader {
    let limits: HTTPRequestParser.Limits

    func read(_ head: [UInt8]) throws(HTTPParseError) -> (request: HTTPRequest, bodyLength: Int) {
        let lines = try Self.lines(head)
        let (method, target, version) = try requestLine(lines[0])
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard headers.fields.count < limits.maxHeaderFields else {
                throw HTTPParseError(431, "more than \(limits.maxHeaderFields) header fields")
            }
            let (name, value) = try field(line)
            headers.append(name: name, value: value)
        }
        // RFC 9112 §3.2: a 1.1 request has exactly one Host. A 1.0 request may have none, but two
        // are refused for any version: which one counts would be a guess.
        let hosts = headers.values("Host").count
        if hosts > 1 || (version == "HTTP/1.1" && hosts != 1) {
            throw HTTPParseError(400, "a request needs exactly one Host header")
        }
        let length = try bodyLength(headers)
        let (path, query) = try Self.splitTarget(target)
        let connection = headers.values("Connection").joined(separator: ",").lowercased()
        let closes = connection.contains("close") || (version == "HTTP/1.0" && !connection.contains("keep-alive"))
        let request = HTTPRequest(method: method, path: path, query: query, headers: headers, body: [], closesConnection: closes)
        return (request, length)
    }

    /// Lines split at CRLF; a bare CR or LF is refused (RFC 9112 §2.2 lets a server reject them,
    /// and reading them differently from a proxy is how requests get smuggled).
    private static func lines(_ head: [UInt8]) throws(HTTPParseError) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < head.count {
            let byte = head[index]
            if byte == 13, index + 1 < head.count, head[index + 1] == 10 {
                lines.append(current)
                current = []
                index += 2
                continue
            }
            if byte == 13 || byte == 10 { throw HTTPParseError(400, "a line ends in a bare CR or LF instead of CR LF") }
            current.append(byte)
            index += 1
        }
        lines.append(current)
        return lines
    }

    private func requestLine(_ line: [UInt8]) throws(HTTPParseError) -> (String, String, String) {
        let parts = line.split(separator: 32, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw HTTPParseError(400, "the request line is not METHOD TARGET HTTP/1.1")
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        guard parts[0].allSatisfy(Self.isTokenCharacter) else { throw HTTPParseError(400, "the method is not a token") }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            throw version.hasPrefix("HTTP/") ? HTTPParseError(505, "\(version) is not supported; use HTTP/1.1")
                                             : HTTPParseError(400, "the request line has no HTTP version")
        }
        // Origin form only (RFC 9112 §3.2.1): the console is no proxy.
        guard parts[1].first == UInt8(ascii: "/"), parts[1].allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw HTTPParseError(400, "the request target must be a path such as /api/connectors")
        }
        return (method, String(decoding: parts[1], as: UTF8.self), version)
    }

    private func field(_ line: [UInt8]) throws(HTTPParseError) -> (String, String) {
        if line.first == 32 || line.first == 9 {
            throw HTTPParseError(400, "a header line starts with whitespace (obsolete line folding is not accepted)")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            throw HTTPParseError(400, "a header line has no field name and colon")
        }
        // RFC 9112 §5.1: no whitespace between the name and the colon.
        guard line[..<colon].allSatisfy(Self.isTokenCharacter) else {
            throw HTTPParseError(400, "the header name \"\(String(decoding: line[..<colon], as: UTF8.self))\" is not a token")
        }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 32 || first == 9 { value = value.dropFirst() }
        while let last = value.last, last == 32 || last == 9 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) }) else {
            throw HTTPParseError(400, "the header \(String(decoding: line[..<colon], as: UTF8.self)) holds a control character")
        }
        return (String(decoding: line[..<colon], as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// Content-Length, or 0; Transfer-Encoding is refused (RFC 9112 §6.1: with Content-Length
    /// too, the message is a smuggling attempt).
    private func bodyLength(_ headers: HTTPHeaders) throws(HTTPParseError) -> Int {
        let lengths = headers.values("Content-Length")
        if !headers.values("Transfer-Encoding").isEmpty {
            throw lengths.isEmpty ? HTTPParseError(501, "Transfer-Encoding is not supported; send a Content-Length")
                                  : HTTPParseError(400, "both Transfer-Encoding and Content-Length were sent")
        }
        guard let first = lengths.first else { return 0 }
        // A list of equal values counts as one (RFC 9110 §8.6); "," alone is no value at all.
        let values = lengths.flatMap { $0.split(separator: ",").map { $0.trimmingBlanks } }
        guard let value = values.first, values.allSatisfy({ $0 == value }), !value.isEmpty,
              value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), value.utf8.count <= 12, let length = Int(value) else {
            throw HTTPParseError(400, "Content-Length \"\(first)\" is not one whole number")
        }
        guard length <= limits.maxBodyBytes else {
            throw HTTPParseError(413, "the body is \(length) octets; at most \(limits.maxBodyBytes) are accepted")
        }
        return length
    }

    /// The percent-decoded path and query parameters of an origin-form target.
    static func splitTarget(_ target: String) throws(HTTPParseError) -> (String, [String: String]) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard let path = percentDecoded(parts[0], plusIsSpace: false) else {
            throw HTTPParseError(400, "the path has a malformed %-escape")
        }
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let halves = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let name = percentDecoded(halves[0], plusIsSpace: true),
                      let value = percentDecoded(halves.count == 2 ? halves[1] : "", plusIsSpace: true) else {
                    throw HTTPParseError(400, "the query has a malformed %-escape")
                }
                query[name] = value
            }
        }
        return (path, query)
    }

    private static func percentDecoded(_ text: Substring, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard iterator.count >= 2, let high = hexValue(iterator.removeFirst()), let low = hexValue(iterator.removeFirst()) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? 32 : byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 65...70: byte - 55
        case 97...102: byte - 87
        default: nil
        }
    }

    /// RFC 9110 §5.6.2 tchar.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 65...90, 97...122: true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

private extension Substring {
    var trimmingBlanks: Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return text
    }
}
