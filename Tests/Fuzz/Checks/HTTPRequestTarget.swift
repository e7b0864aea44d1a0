import Console
import Foundation

/// The console's HTTP/1.1 request parser against any bytes a browser, or anything else on
/// loopback, might send.
///
/// The first byte picks a piece size; the rest is parsed once whole and once in pieces. Both must
/// give the same requests and the same error; every request's body has the length its
/// Content-Length says; no header value holds CR, LF or NUL; the parser, once failed, stays failed;
/// and after each request it keeps no more than the bytes not yet parsed plus the compaction
/// threshold (a kept-alive connection cannot grow its memory).
enum HTTPRequestTarget {
    enum Parsed: Equatable {
        case request(HTTPRequest)
        case failure(HTTPParseError)
    }

    static func check(_ data: [UInt8]) throws {
        guard let first = data.first else { return }
        let bytes = Array(data.dropFirst())
        let limits = HTTPRequestParser.Limits(maxHeadBytes: 2_048, maxHeaderFields: 20, maxBodyBytes: 4_096)
        let whole = try parse([bytes], limits: limits)
        let pieces = try parse(FuzzBytes.pieces(bytes, size: Int(first % 32) + 1), limits: limits)
        try require(whole == pieces, "parsing whole gave \(whole), in pieces \(pieces)")
    }

    static func parse(_ pieces: [[UInt8]], limits: HTTPRequestParser.Limits) throws -> [Parsed] {
        var parser = HTTPRequestParser(limits: limits)
        var parsed: [Parsed] = []
        for piece in pieces {
            parser.feed(piece)
            while true {
                let request: HTTPRequest?
                do {
                    request = try parser.next()
                } catch {
                    parsed.append(.failure(error))
                    try checkStaysFailed(&parser, after: error)
                    return parsed
                }
                guard let request else {
                    // Everything complete is parsed: what is kept is at most one partial request
                    // and the consumed bytes compaction lets wait, however many came before.
                    let bound = 2 * (limits.maxHeadBytes + 4 + limits.maxBodyBytes) + HTTPRequestParser.compactionThreshold
                    try require(parser.retainedByteCount <= bound, "the parser keeps \(parser.retainedByteCount) octets after \(parsed.count) requests")
                    break
                }
                try checkRequest(request, limits: limits)
                parsed.append(.request(request))
            }
        }
        return parsed
    }

    static func checkStaysFailed(_ parser: inout HTTPRequestParser, after failure: HTTPParseError) throws {
        do {
            _ = try parser.next()
        } catch {
            try require(error == failure, "a failed parser threw \(error) after \(failure)")
            return
        }
        throw InvariantViolation(message: "the parser recovered after \(failure)")
    }

    static func checkRequest(_ request: HTTPRequest, limits: HTTPRequestParser.Limits) throws {
        // RFC 9110 §8.6: a repeated Content-Length is accepted only when every copy says the same.
        // Each field is a list; empty elements do not count (RFC 9110 §5.6.1).
        let lengths = Set(request.headers.values("Content-Length").flatMap { list in
            list.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        })
        try require(lengths.count <= 1, "Content-Length fields that disagree: \(lengths.sorted())")
        let declared = lengths.first.flatMap { Int($0) } ?? 0
        try require(request.body.count == declared, "a body of \(request.body.count) octets for Content-Length \(declared)")
        try require(request.body.count <= limits.maxBodyBytes, "a body over the limit")
        try require(request.headers.fields.count <= limits.maxHeaderFields, "more header fields than the limit")
        // RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host (HTTP/1.0 may have none; the
        // console's access policy refuses a request without its own Host either way).
        try require(request.headers["Host"] != nil || request.headers.values("Host").isEmpty, "a request with two Host fields")
        for field in request.headers.fields {
            try require(!field.value.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" },
                        "the value of \(field.name) holds CR, LF or NUL")
        }
        try require(!request.method.isEmpty && request.method.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F },
                    "the method \(request.method.debugDescription) is not a token")
    }
}
