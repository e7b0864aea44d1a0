import Console
import Foundation
import NetworkIO
import Testing

/// The console's HTTP server over real loopback sockets.
@Suite struct HTTPServerTests {
    /// Every status the console's API answers with carries its reason phrase, not a placeholder.
    @Test(arguments: [200, 204, 400, 403, 404, 405, 408, 409, 413, 422, 431, 500, 502])
    func everyStatusTheConsoleSendsHasItsReasonPhrase(status: Int) {
        let head = String(decoding: HTTPResponse(status: status, contentType: "text/plain", body: []).serialized(), as: UTF8.self)
        let statusLine = head.prefix { $0 != "\r" }
        #expect(statusLine.hasPrefix("HTTP/1.1 \(status) "))
        #expect(!statusLine.contains("Status"))
    }

    private func withServer(_ body: (HTTPServer) async throws -> Void) async throws {
        let server = HTTPServer(host: "127.0.0.1", port: 0, token: "tok") { request in
            HTTPResponse(status: 200, contentType: "text/plain", body: Array("\(request.method) \(request.path) \(request.body.count)".utf8))
        }
        try server.start()
        defer { server.stop() }
        try await body(server)
    }

    /// The client's blocking socket work stays off the cooperative pool, which the server's
    /// handler Tasks need.
    private static let client = BlockingExecutor(name: "test-client", maxThreads: 8)

    /// Sends `text` on a new connection and reads until the server closes it.
    private func exchange(_ server: HTTPServer, _ text: String) async throws -> String {
        let port = server.port
        return try await Self.client.run {
            let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .after(seconds: 10)))
            defer { stream.close() }
            try stream.write(Array(text.utf8), deadline: .after(seconds: 10))
            var received: [UInt8] = []
            while let bytes = try? stream.read(deadline: .after(seconds: 20)), !bytes.isEmpty { received += bytes }
            return String(decoding: received, as: UTF8.self)
        }
    }

    private let head = "Host: 127.0.0.1:PORT\r\nAuthorization: Bearer tok\r\n"

    @Test func anAuthorizedRequestIsAnsweredWithTheSecurityHeaders() async throws {
        try await withServer { server in
            let request = "POST /api/x HTTP/1.1\r\n" + head.replacingOccurrences(of: "PORT", with: "\(server.port)")
                + "X-Console-Request: 1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"
            let response = try await exchange(server, request)
            #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(response.contains("Content-Security-Policy: default-src 'none'; script-src 'self'"))
            #expect(response.contains("X-Content-Type-Options: nosniff"))
            #expect(response.hasSuffix("\r\n\r\nPOST /api/x 3"))
        }
    }

    @Test func twoRequestsOnOneConnectionAreBothAnswered() async throws {
        try await withServer { server in
            let headers = head.replacingOccurrences(of: "PORT", with: "\(server.port)")
            let response = try await exchange(server, "GET /api/a HTTP/1.1\r\n\(headers)\r\nGET /api/b HTTP/1.1\r\n\(headers)Connection: close\r\n\r\n")
            #expect(response.contains("GET /api/a 0"))
            #expect(response.hasSuffix("GET /api/b 0"))
        }
    }

    @Test func refusedAndMalformedRequestsGetJSONErrorsAndTheServerGoesOn() async throws {
        try await withServer { server in
            let forbidden = try await exchange(server, "GET /api/a HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nConnection: close\r\n\r\n")
            #expect(forbidden.hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
            #expect(forbidden.contains(#"{"error":{"code":"forbidden","message":"the access token is missing or wrong"#))
            let rebinding = try await exchange(server, "GET /api/a HTTP/1.1\r\nHost: attacker.example:\(server.port)\r\nAuthorization: Bearer tok\r\nConnection: close\r\n\r\n")
            #expect(rebinding.hasPrefix("HTTP/1.1 403"))
            let malformed = try await exchange(server, "GET /api/a HTTP/1.1\r\nHost : x\r\n\r\n")
            #expect(malformed.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(malformed.contains("Connection: close"))
            #expect(malformed.contains(#""code":"bad_request""#))
            let headers = head.replacingOccurrences(of: "PORT", with: "\(server.port)")
            #expect(try await exchange(server, "GET /api/ok HTTP/1.1\r\n\(headers)Connection: close\r\n\r\n").hasSuffix("GET /api/ok 0"))
        }
    }

    /// CSRF over the wire: a POST with the token but from another site's page, or without the
    /// console's own request header, is refused before the handler sees it; the same POST from the
    /// console's page goes through.
    @Test func crossSitePostsAreRefusedOverHTTP() async throws {
        try await withServer { server in
            let headers = head.replacingOccurrences(of: "PORT", with: "\(server.port)")
            let body = "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
            let foreign = try await exchange(server, "POST /api/send HTTP/1.1\r\n\(headers)X-Console-Request: 1\r\nOrigin: http://evil.example\r\n\(body)")
            #expect(foreign.hasPrefix("HTTP/1.1 403"), "\(foreign)")
            #expect(!foreign.contains("POST /api/send"))
            let noHeader = try await exchange(server, "POST /api/send HTTP/1.1\r\n\(headers)Origin: http://127.0.0.1:\(server.port)\r\n\(body)")
            #expect(noHeader.hasPrefix("HTTP/1.1 403"), "\(noHeader)")
            let own = try await exchange(server, "POST /api/send HTTP/1.1\r\n\(headers)X-Console-Request: 1\r\nOrigin: http://127.0.0.1:\(server.port)\r\n\(body)")
            #expect(own.hasPrefix("HTTP/1.1 200") && own.hasSuffix("POST /api/send 2"), "\(own)")
        }
    }

    /// A request head trickled a byte at a time gets one deadline for the whole request (2 s
    /// here), not one per read: the connection is answered 408 and closed long before the trickle ends.
    @Test func aTrickledRequestHeadIsCutOffAtTheRequestTimeout() async throws {
        let server = HTTPServer(host: "127.0.0.1", port: 0, token: "tok", requestTimeout: 2) { _ in
            HTTPResponse(status: 200, contentType: "text/plain", body: [])
        }
        try server.start()
        defer { server.stop() }
        let port = server.port
        let (elapsed, answer) = try await Self.client.run { () -> (Duration, String) in
            let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .after(seconds: 30)))
            defer { stream.close() }
            let start = ContinuousClock.now
            let head = "GET /api/a HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nX-Padding: " + String(repeating: "p", count: 80) + "\r\n\r\n"
            var received: [UInt8] = []
            for byte in Array(head.utf8) {  // about 120 bytes at one per 0.5 s: 60 s
                if (try? stream.write([byte], deadline: .after(seconds: 5))) == nil { break }
                if let bytes = try? stream.read(deadline: .after(seconds: 0.5)) {
                    received += bytes
                    if bytes.isEmpty { break }
                }
            }
            return (start.duration(to: .now), String(decoding: received, as: UTF8.self))
        }
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(60))")
        #expect(elapsed < .seconds(15), "cut off by the 2 s request timeout, not after the 60 s trickle: \(elapsed)")
    }

    /// Opens `count` connections that each send the start of a request and then nothing, as a
    /// client that sends a byte every 50 s would; they stay open until the returned streams close.
    private func slowClients(_ count: Int, port: Int) async throws -> [NetworkStream] {
        try await Self.client.run {
            try (0..<count).map { _ in
                let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .after(seconds: 10)))
                try stream.write(Array("GET /api/slow HTTP/1.1\r\nHo".utf8), deadline: .after(seconds: 10))
                return stream
            }
        }
    }

    /// 40 slow clients do not hold every connection thread: a normal request beside them is answered
    /// long before the 60 s request timeout would free one (it waited for that timeout with 32 threads).
    @Test func fortySlowClientsLeaveRoomForANormalRequest() async throws {
        let server = HTTPServer(host: "127.0.0.1", port: 0, token: "tok", requestTimeout: 60) { request in
            HTTPResponse(status: 200, contentType: "text/plain", body: Array(request.path.utf8))
        }
        try server.start()
        defer { server.stop() }
        let slow = try await slowClients(40, port: server.port)
        defer { slow.forEach { $0.close() } }
        let start = ContinuousClock.now
        let headers = head.replacingOccurrences(of: "PORT", with: "\(server.port)")
        let response = try await exchange(server, "GET /api/normal HTTP/1.1\r\n\(headers)Connection: close\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 200") && response.hasSuffix("/api/normal"), "\(response.prefix(80))")
        #expect(start.duration(to: .now) < .seconds(20), "prompt, not after the 60 s request timeout")
    }

    /// Past `maxConnections` a client is told 503 at once and disconnected, instead of queueing for a
    /// thread while it holds a descriptor; once a slot is free the next is served again.
    @Test func pastTheConnectionCapAClientGets503AtOnce() async throws {
        let server = HTTPServer(host: "127.0.0.1", port: 0, token: "tok", requestTimeout: 60, maxConnections: 2) { _ in
            HTTPResponse(status: 200, contentType: "text/plain", body: Array("served".utf8))
        }
        try server.start()
        defer { server.stop() }
        var slow = try await slowClients(2, port: server.port)
        let headers = head.replacingOccurrences(of: "PORT", with: "\(server.port)")
        let request = "GET /api/x HTTP/1.1\r\n\(headers)Connection: close\r\n\r\n"
        let refused = try await exchange(server, request)
        #expect(refused.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n") && refused.contains("\"busy\""), "\(refused)")
        slow.removeFirst().close()
        // The freed slot is taken back when the server sees the close; a new client is served once it has.
        let served = try await eventually { try await exchange(server, request).hasSuffix("served") }
        #expect(served)
        slow.forEach { $0.close() }
    }

    /// Retries `check` for up to 20 s (it stays false only if the slot is never freed).
    private func eventually(_ check: () async throws -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < end {
            if try await check() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
