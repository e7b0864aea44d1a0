@testable import Console
import Testing

/// The console's HTTP/1.1 request parser, fed bytes as a socket would deliver them.
@Suite struct HTTPRequestParserTests {
    @Test(arguments: [("//api/resolve", "/api/resolve"), ("/api//resolve/", "/api/resolve"), ("///", "/"),
                      ("/", "/"), ("/api/validate", "/api/validate"), ("*", "*")])
    func emptyPathSegmentsAreDroppedOnce(given: String, expected: String) {
        #expect(HTTPRequest.normalizedPath(given) == expected)
    }

    private func parse(_ text: String, chunk: Int = .max, limits: HTTPRequestParser.Limits = .init()) throws(HTTPParseError) -> [HTTPRequest] {
        var parser = HTTPRequestParser(limits: limits)
        var requests: [HTTPRequest] = []
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            parser.feed(bytes[offset..<end])
            offset = end
            while let request = try parser.next() { requests.append(request) }
        }
        return requests
    }

    private func status(_ text: String, limits: HTTPRequestParser.Limits = .init()) -> Int? {
        do {
            _ = try parse(text, limits: limits)
            return nil
        } catch {
            return error.status
        }
    }

    @Test(arguments: [1, 2, 7, Int.max])
    func aPostWithABodyArrivesWholeHoweverTheBytesAreSplit(chunk: Int) throws {
        let text = "POST /api/validate?preset=gmail&x=a%20b+c HTTP/1.1\r\nHost: 127.0.0.1:8025\r\n"
            + "Content-Type: application/json\r\nContent-Length: 13\r\nX-Console: 1\r\n\r\n{\"host\":\"h\"}\n"
        let requests = try parse(text, chunk: chunk)
        try #require(requests.count == 1)
        let request = requests[0]
        #expect(request.method == "POST")
        #expect(request.path == "/api/validate")
        #expect(request.query == ["preset": "gmail", "x": "a b c"])
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["HOST"] == "127.0.0.1:8025")
        #expect(String(decoding: request.body, as: UTF8.self) == "{\"host\":\"h\"}\n")
        #expect(!request.closesConnection)
    }

    /// 1,000 requests of odd sizes on one kept-alive connection, fed in reads that end inside the
    /// next request: the parser keeps at most one partial request and the compaction threshold, not
    /// every request it has handled (it kept them all when reads never ended exactly on a request).
    @Test func memoryStaysFlatOverAThousandRequestsOnOneConnection() throws {
        var parser = HTTPRequestParser()
        var stream: [UInt8] = []
        for index in 0..<1_000 {
            let body = String(repeating: "x", count: (index * 37) % 311)
            stream += Array("POST /api/validate HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        }
        var parsed = 0, mostKept = 0, offset = 0, read = 0
        while offset < stream.count {
            let size = 97 + (read * 53) % 409  // odd sizes, never aligned with the requests
            parser.feed(stream[offset..<min(stream.count, offset + size)])
            offset += size
            read += 1
            while try parser.next() != nil { parsed += 1 }
            mostKept = max(mostKept, parser.retainedByteCount)
        }
        #expect(parsed == 1_000)
        #expect(stream.count > 200_000)
        #expect(mostKept <= HTTPRequestParser.compactionThreshold + 2 * 1_024, "kept \(mostKept) of \(stream.count) octets")
    }

    /// Empty lines before a request are skipped (RFC 9112 §2.2), and dropped: a client sending
    /// nothing else cannot grow the buffer either.
    @Test func aFloodOfEmptyLinesIsNotKept() throws {
        var parser = HTTPRequestParser()
        for _ in 0..<1_000 {
            parser.feed(Array(repeating: "\r\n", count: 50).joined().utf8)
            #expect(try parser.next() == nil)
        }
        #expect(parser.retainedByteCount <= HTTPRequestParser.compactionThreshold, "kept \(parser.retainedByteCount) of 100,000 octets")
    }

    @Test func pipelinedRequestsComeOutInOrderAndLeadingEmptyLinesAreSkipped() throws {
        let text = "\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let requests = try parse(text, chunk: 5)
        #expect(requests.map(\.path) == ["/a", "/b"])
        #expect(requests.map(\.closesConnection) == [false, true])
    }

    @Test func anIncompleteRequestWaitsForMoreBytes() throws {
        var parser = HTTPRequestParser()
        parser.feed(Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab".utf8))
        #expect(try parser.next() == nil)
        parser.feed(Array("cd".utf8))
        #expect(try parser.next()?.body == Array("abcd".utf8))
    }

    @Test func malformedRequestsGetTheirStatus() {
        #expect(status("GET / HTTP/1.1\r\n\r\n") == 400)  // no Host
        #expect(status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\nHost: a\r\n\r\n") == 400)  // bare LF
        #expect(status("GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n") == 400)  // bare CR
        #expect(status("GET / HTTP/1.1\r\nHost : a\r\n\r\n") == 400)  // space before the colon
        #expect(status("GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n z\r\n\r\n") == 400)  // obsolete folding
        #expect(status("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1}b\r\n\r\n") == 400)
        #expect(status("GET  / HTTP/1.1\r\nHost: a\r\n\r\n") == 400)
        #expect(status("GET http://evil/ HTTP/1.1\r\nHost: a\r\n\r\n") == 400)
        #expect(status("GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n") == 400)
        #expect(status("GET / HTTP/2.0\r\nHost: a\r\n\r\n") == 505)
        #expect(status("G(T / HTTP/1.1\r\nHost: a\r\n\r\n") == 400)
        // Found by the http-request fuzz target: a Content-Length of commas alone crashed the parser,
        // and HTTP/1.0 took two Hosts.
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ,\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: , ,\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n") == 400)
    }

    @Test func bodiesAreFramedOnlyByOneContentLength() {
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == 501)
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc") == 400)
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd") == 400)
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3 3\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc") == nil)
    }

    @Test func limitsAnswer413And431() {
        let small = HTTPRequestParser.Limits(maxHeadBytes: 64, maxHeaderFields: 2, maxBodyBytes: 10)
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", limits: small) == 413)
        #expect(status("GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "y", count: 80))", limits: small) == 431)  // no end yet
        #expect(status("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", limits: small) == 431)
        #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789", limits: small) == nil)
    }

    @Test func afterAnErrorTheParserStaysFailed() throws {
        var parser = HTTPRequestParser()
        parser.feed(Array("BAD\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { try parser.next() }
        let again = #expect(throws: HTTPParseError.self) { try parser.next() }
        #expect(again?.status == 400)
    }
}
