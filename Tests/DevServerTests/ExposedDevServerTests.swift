import DevServer
import Foundation
import Glibc
import NetworkIO
import Testing
import TestSupport

/// A DevServer reachable by others (`inbox --listen 0.0.0.0:2525`): bounded memory, a recipient
/// limit, a session lifetime, no SMTP read out of an HTTP request, private capture files.
@Suite struct ExposedDevServerTests {
    private static let client = BlockingExecutor(name: "test-exposed", maxThreads: 4)

    /// Sends `text` on a new connection and reads until the server closes it (or 30 s pass).
    private func exchange(_ port: Int, _ text: String) async throws -> String {
        try await Self.client.run {
            let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .after(seconds: 30)))
            defer { stream.close() }
            try stream.write(Array(text.utf8), deadline: .after(seconds: 30))
            var received: [UInt8] = []
            while let bytes = try? stream.read(deadline: .after(seconds: 30)), !bytes.isEmpty { received += bytes }
            return String(decoding: received, as: UTF8.self)
        }
    }

    private func message(_ index: Int, recipients: [String] = ["bob@example.test"]) -> String {
        "MAIL FROM:<app@example.test>\r\n" + recipients.map { "RCPT TO:<\($0)>\r\n" }.joined()
            + "DATA\r\nSubject: \(index)\r\n\r\nbody \(index) " + String(repeating: "x", count: 1_000) + "\r\n.\r\n"
    }

    @Test func onlyTheNewestMessagesStayInMemory() async throws {
        let server = try DevServer.started(users: [:]) {
            $0.tls = .none
            $0.maxKeptMessages = 3
        }
        defer { server.stop() }
        let dialogue = "EHLO client.test\r\n" + (1...5).map { message($0) }.joined() + "QUIT\r\n"
        let transcript = try await exchange(server.port, dialogue)
        #expect(transcript.components(separatedBy: "250 2.0.0 Ok: queued").count == 6, "\(transcript)")
        #expect(server.messages.map(\.id) == [3, 4, 5])
        #expect(await server.waitForMessages(count: 5, timeout: 5).count == 3, "the two dropped count as arrived")

        let bytes = try DevServer.started(users: [:]) {
            $0.tls = .none
            $0.maxKeptBytes = 4_000
        }
        defer { bytes.stop() }
        _ = try await exchange(bytes.port, "EHLO client.test\r\n" + (1...5).map { message($0) }.joined() + "QUIT\r\n")
        #expect(bytes.messages.map(\.id) == [4, 5], "about 1.5 KB each with its transcript, at most 4 KB kept")
    }

    @Test func recipientsPastTheLimitGet452() async throws {
        let server = try DevServer.started(users: [:]) {
            $0.tls = .none
            $0.maxRecipients = 2
        }
        defer { server.stop() }
        let transcript = try await exchange(server.port, "EHLO client.test\r\n" + message(1, recipients: ["a@x.test", "b@x.test", "c@x.test"]) + "QUIT\r\n")
        #expect(transcript.contains("452 4.5.3 Too many recipients (at most 2)"), "\(transcript)")
        #expect(server.messages.first?.recipients == ["a@x.test", "b@x.test"])
    }

    /// A session that keeps busy (a NOOP every 100 ms, each well within idleTimeout) still ends at
    /// maxSessionDuration (1 s here), long before the 60 s the test would wait.
    @Test func aBusySessionEndsAtItsLifetime() async throws {
        let server = try DevServer.started(users: [:]) {
            $0.tls = .none
            $0.maxSessionDuration = 1
        }
        defer { server.stop() }
        let port = server.port
        let (ended, elapsed, text) = try await Self.client.run { () -> (Bool, Duration, String) in
            let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .after(seconds: 30)))
            defer { stream.close() }
            let start = ContinuousClock.now
            var received = ""
            while start.duration(to: .now) < .seconds(60) {
                if (try? stream.write(Array("NOOP\r\n".utf8), deadline: .after(seconds: 5))) == nil { return (true, start.duration(to: .now), received) }
                guard let bytes = try? stream.read(deadline: .after(seconds: 5)) else { continue }
                if bytes.isEmpty { return (true, start.duration(to: .now), received) }
                received += String(decoding: bytes, as: UTF8.self)
                usleep(100_000)
            }
            return (false, start.duration(to: .now), received)
        }
        #expect(ended && elapsed < .seconds(20), "\(elapsed)")
        #expect(text.contains("421 4.4.2"), "\(text)")
    }

    /// A client that pipelines its commands has them waiting in the server's buffer, where no read
    /// waits for them: the lifetime still ends the session between two of them. 100 NOOPs in one
    /// write, each answered 50 ms late (`replyDelay`), take 5 s; the lifetime is 1 s, so the session
    /// ends after about 20 of them (fewer on a slow machine, never more). Before the fix all 100
    /// were answered, and the session ended only at the next read.
    @Test func aSessionThatKeepsLinesBufferedEndsAtItsLifetime() async throws {
        let server = try DevServer.started(users: [:]) {
            $0.tls = .none
            $0.maxSessionDuration = 1
            $0.replyDelay = 0.05
        }
        defer { server.stop() }
        let port = server.port
        let text = try await Self.client.run { () -> String in
            let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .after(seconds: 30)))
            defer { stream.close() }
            try stream.write(Array(String(repeating: "NOOP\r\n", count: 100).utf8), deadline: .after(seconds: 30))
            var received = ""
            while let bytes = try? stream.read(deadline: .after(seconds: 60)), !bytes.isEmpty {
                received += String(decoding: bytes, as: UTF8.self)
            }
            return received
        }
        let answered = text.components(separatedBy: "\r\n").filter { $0.hasPrefix("250") }.count
        #expect(text.contains("421 4.4.2"), "\(text)")
        #expect(answered < 60, "the session ended between buffered commands, after \(answered) of 100")
    }

    /// A web page that makes a browser POST to the SMTP port gets no SMTP read out of its request:
    /// the connection ends at the request line, as Postfix ends it.
    @Test(arguments: ["GET / HTTP/1.1", "POST /submit HTTP/1.1", "HEAD / HTTP/1.0", "CONNECT mail:25 HTTP/1.1", "Host: 127.0.0.1"])
    func anHTTPLineEndsTheSession(line: String) async throws {
        let server = try DevServer.started(users: [:]) { $0.tls = .none }
        defer { server.stop() }
        let transcript = try await exchange(server.port, "\(line)\r\nHost: x\r\n\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n")
        let replies = transcript.split(separator: "\r\n")
        #expect(replies.count == 2 && replies.last?.hasPrefix("221 2.7.0") == true, "\(transcript)")
    }

    @Test func captureFilesArePrivateAndAnotherUsersFolderIsRefused() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("capture-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try DevServer.started(users: [:]) {
            $0.tls = .none
            $0.saveDirectory = folder
        }
        _ = try await exchange(server.port, "EHLO client.test\r\n" + message(1) + "QUIT\r\n")
        server.stop()
        let folderMode = try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? NSNumber
        #expect(folderMode?.intValue == 0o700)
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path).first)
        let fileMode = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(file).path)[.posixPermissions] as? NSNumber
        #expect(fileMode?.intValue == 0o600)

        let foreign = FileManager.default.temporaryDirectory.appendingPathComponent("foreign-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: foreign) }
        try #require(chown(foreign.path, 65534, 65534) == 0, "giving the folder to nobody needs root (scripts/test.sh runs as root)")
        var configuration = DevServerConfiguration()
        configuration.saveDirectory = foreign
        let refused = try DevServer(configuration)
        let error = try #require(throws: DevServerError.self) { try refused.start() }
        #expect(error.description.contains("another user"))
    }
}
