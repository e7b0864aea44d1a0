import DevServer
import Glibc
import Foundation
import NetworkIO
import Testing

/// The TLS layer itself refuses a verifying handshake without a name to check, so no caller can
/// turn host-name verification off by passing an empty name.
@Suite struct TLSVerificationTests {
    /// A DevServer speaking implicit TLS with a certificate that the client trusts.
    private func server() throws -> DevServer {
        var configuration = DevServerConfiguration()
        configuration.tls = .implicit
        let server = try DevServer(configuration)
        try server.start()
        return server
    }

    @Test(arguments: [nil, "", "  ", "[]"] as [String?])
    func aVerifyingClientWithoutANameRefusesToHandshake(_ name: String?) throws {
        let server = try server()
        defer { server.stop() }
        let context = try TLSContext(.client(trustedCertificatesPEM: server.certificatePEM))
        let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: server.port, deadline: .after(seconds: 5)))
        defer { stream.close() }
        let error = try #require(throws: NetworkError.self) {
            try stream.startTLS(context, serverName: name, deadline: .after(seconds: 5))
        }
        #expect(error.kind == .certificate)
        #expect(error.message.contains("no host name"))
        #expect(!stream.isSecure)
        #expect(stream.verifiedName == nil)
    }

    @Test func aVerifiedHandshakeRecordsTheNameItChecked() throws {
        let server = try server()
        defer { server.stop() }
        let context = try TLSContext(.client(trustedCertificatesPEM: server.certificatePEM))
        let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: server.port, deadline: .after(seconds: 5)))
        defer { stream.close() }
        try stream.startTLS(context, serverName: " localhost ", deadline: .after(seconds: 5))
        #expect(stream.verifiedName == "localhost")
    }

    @Test func withoutVerificationNoNameIsClaimed() throws {
        let server = try server()
        defer { server.stop() }
        let context = try TLSContext(.client(verifyPeer: false))
        let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: server.port, deadline: .after(seconds: 5)))
        defer { stream.close() }
        try stream.startTLS(context, serverName: "", deadline: .after(seconds: 5))
        #expect(stream.isSecure)
        #expect(stream.verifiedName == nil)
    }
}

/// A client resumes TLS sessions per verified name, each ticket once.
@Suite struct TLSResumptionTests {
    /// Connects, handshakes for `name`, reads the greeting (which brings the server's session
    /// tickets along) and closes; returns whether the handshake was a resumption.
    private func connect(_ server: DevServer, _ context: TLSContext, name: String) throws -> Bool {
        let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: server.port, deadline: .after(seconds: 10)))
        defer { stream.close() }
        try stream.startTLS(context, serverName: name, deadline: .after(seconds: 10))
        let greeting = try stream.read(deadline: .after(seconds: 10))
        #expect(String(decoding: greeting, as: UTF8.self).hasPrefix("220"))
        return stream.resumedSession
    }

    @Test func aSecondConnectionToTheSameNameResumes() throws {
        var configuration = DevServerConfiguration()
        configuration.tls = .implicit
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        let context = try TLSContext(.client(trustedCertificatesPEM: server.certificatePEM))
        #expect(try connect(server, context, name: "localhost") == false)
        #expect(try connect(server, context, name: "localhost") == true)
        #expect(try connect(server, context, name: "localhost") == true)  // with the ticket the second one got
        // A session verified for one name is never offered for another.
        #expect(try connect(server, context, name: "127.0.0.1") == false)
        // Nor by another context (other trust settings).
        let other = try TLSContext(.client(trustedCertificatesPEM: server.certificatePEM))
        #expect(try connect(server, other, name: "localhost") == false)
    }
}

/// A server identity whose key is encrypted fails at once with an error that says so: OpenSSL's
/// default passphrase callback would prompt on the terminal and block the server.
@Suite struct EncryptedServerKeyTests {
    @Test func anEncryptedKeyIsRefusedWithoutAPrompt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("encrypted-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-keyout", "key.pem", "-out", "cert.pem", "-days", "1",
                             "-subj", "/CN=localhost", "-passout", "pass:correct-horse"]
        openssl.currentDirectoryURL = folder
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl (Debian's openssl package) could not make the key")
        let key = try String(contentsOf: folder.appendingPathComponent("key.pem"), encoding: .utf8)
        try #require(key.contains("ENCRYPTED"))
        let certificate = try String(contentsOf: folder.appendingPathComponent("cert.pem"), encoding: .utf8)
        let error = try #require(throws: NetworkError.self) {
            _ = try TLSContext(.server(certificateChainPEM: certificate, privateKeyPEM: key))
        }
        #expect(error.kind == .tls)
        #expect(error.message.contains("private key") && error.message.contains("without a passphrase"), "\(error)")
        #expect(!error.message.contains("correct-horse"))
    }
}

/// A TLS session counts as secure only once its handshake succeeded, and one that failed is not
/// shut down as if it were sound (OpenSSL forbids SSL_shutdown after a fatal error).
@Suite struct TLSFailureTests {
    @Test func aFailedHandshakeLeavesTheStreamInsecure() throws {
        var configuration = DevServerConfiguration()
        configuration.tls = .implicit
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        let context = try TLSContext(.client())  // the system's trust store: the DevServer's certificate is not in it
        let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: server.port, deadline: .after(seconds: 30)))
        defer { stream.close() }
        let error = try #require(throws: NetworkError.self) {
            try stream.startTLS(context, serverName: "localhost", deadline: .after(seconds: 30))
        }
        #expect(error.kind == .certificate)
        #expect(!stream.isSecure, "the handshake began but never succeeded")
    }

    /// A record the client cannot decrypt is a fatal error: the read fails, the stream is no longer
    /// secure, and closing it sends nothing after OpenSSL's own fatal alert (no close_notify). The
    /// last holds with OpenSSL 3.0 even when SSL_shutdown is called (it marks the session shut down
    /// when it sends the alert); the stream skips the call because SSL_shutdown(3) forbids it.
    @Test func aFatalErrorIsNotFollowedByCloseNotify() async throws {
        let listener = try TCPSocket.listen(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let port = listener.localPort
        let certificate = try SelfSignedCertificate()
        let serverContext = try TLSContext(.server(certificateChainPEM: certificate.certificatePEM, privateKeyPEM: certificate.privateKeyPEM))
        let serverSide = BlockingExecutor(name: "test-tls-server", maxThreads: 1)
        let afterGarbage = Task {
            try await serverSide.run { () -> [UInt8] in
                guard let client = try listener.accept() else { return [] }
                let stream = NetworkStream(socket: client)
                defer { client.close() }
                try stream.startTLS(serverContext, serverName: nil, deadline: .after(seconds: 30))
                // An application-data record whose content is not what the keys would make.
                let garbage: [UInt8] = [0x17, 0x03, 0x03, 0x00, 0x20] + Array(repeating: 0x41, count: 32)
                _ = garbage.withUnsafeBytes { Glibc.send(client.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                var received: [UInt8] = []
                while true {
                    let bytes = [UInt8](unsafeUninitializedCapacity: 4096) { buffer, count in
                        count = max(0, Glibc.recv(client.descriptor, buffer.baseAddress, 4096, 0))
                    }
                    if bytes.isEmpty {
                        var poller = pollfd(fd: client.descriptor, events: Int16(POLLIN), revents: 0)
                        if poll(&poller, 1, 30_000) <= 0 || poller.revents & Int16(POLLIN | POLLHUP) == 0 { break }
                        let peek = [UInt8](unsafeUninitializedCapacity: 1) { buffer, count in
                            count = max(0, Glibc.recv(client.descriptor, buffer.baseAddress, 1, Int32(MSG_PEEK)))
                        }
                        if peek.isEmpty { break }  // end of stream
                        continue
                    }
                    received += bytes
                }
                return received
            }
        }
        let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .after(seconds: 30)))
        try stream.startTLS(try TLSContext(.client(verifyPeer: false)), serverName: "localhost", deadline: .after(seconds: 30))
        #expect(stream.isSecure)
        var failure: NetworkError?
        do {
            while try !stream.read(deadline: .after(seconds: 30)).isEmpty {}
        } catch let error as NetworkError {
            failure = error
        }
        #expect(failure?.kind == .tls, "\(String(describing: failure))")
        #expect(!stream.isSecure)
        stream.close()
        // TLS records after the garbage: at most OpenSSL's fatal alert, never a close_notify beside it.
        var bytes = try await afterGarbage.value[...]
        var records = 0
        while bytes.count >= 5 {
            let length = Int(bytes[bytes.startIndex + 3]) << 8 | Int(bytes[bytes.startIndex + 4])
            bytes = bytes.dropFirst(5 + length)
            records += 1
        }
        #expect(records <= 1, "\(records) records after the fatal error")
    }
}
