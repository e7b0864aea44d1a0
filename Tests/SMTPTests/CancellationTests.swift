import DevServer
import Foundation
import Locking
@testable import NetworkIO
import Testing
import TestSupport
@testable import SMTP
import SMTPWire

/// Cancelling the calling Task ends a send at once in every phase: DNS, connect, TLS handshake,
/// read and write. Each test waits for the send to be in its phase (an event, not a timer), then
/// cancels, and the send must be over at once (milliseconds when the machine is idle).
@Suite struct CancellationTests {
    static let envelope = SMTPEnvelope(from: "app@example.test", recipients: ["ada@example.test"])

    static func configuration(host: String = "127.0.0.1", port: Int, security: SMTPClientConfiguration.Security = .plaintext,
                              ca: String? = nil) -> SMTPClientConfiguration {
        var configuration = SMTPClientConfiguration(host: host, port: port, security: security)
        configuration.tls.trustedCertificatesPEM = ca
        configuration.tls.serverName = "localhost"
        configuration.timeouts = .init(connection: 300, greeting: 300, socket: 300, dns: 300)
        return configuration
    }

    /// Waits (polling, at most 60 s of wall time, however busy the machine is) until `condition` holds.
    static func waitUntil(_ condition: () -> Bool) async throws {
        try #require(await Waiting.until(seconds: 240) { condition() })  // a 32 MiB body is prepared slowly under ASan
    }

    /// Milliseconds on an idle machine; the bound only has to tell "prompt" from the 300 s timeouts
    /// the sends were given, on a busy 2-core machine running the whole suite in parallel, under a
    /// sanitizer too. It is what proves the cancellation worked: a send whose wait ran into its
    /// timeout after a cancellation still reports `.cancelled`. Under AddressSanitizer the DNS case
    /// once took 16 s, waiting for a cooperative thread to resume the task while CPU-heavy tests
    /// held both.
    static let prompt = 60.0

    /// Cancels `task` and returns the error it ended with and how long that took.
    static func cancel(_ task: Task<SMTPSendResult, any Error>) async -> (SMTPError?, Double) {
        let start = Date()
        task.cancel()
        let result = await task.result
        let elapsed = Date().timeIntervalSince(start)
        guard case .failure(let error) = result else { return (nil, elapsed) }
        return (error as? SMTPError, elapsed)
    }

    static func send(_ configuration: SMTPClientConfiguration, message: [UInt8] = Array("Subject: t\r\n\r\nhi\r\n".utf8)) throws
        -> Task<SMTPSendResult, any Error> {
        let client = try SMTPClient(configuration: configuration)
        return Task { try await client.send(envelope: envelope, message: message) }
    }

    @Test func duringDNS() async throws {
        // Every lookup thread is busy, so this send's lookup waits: the send is in DNS for sure.
        let release = DispatchSemaphore(value: 0)
        for _ in 0..<Resolver.executor.maxThreads { Resolver.executor.execute { release.wait() } }
        defer { for _ in 0..<Resolver.executor.maxThreads { release.signal() } }
        let task = try Self.send(Self.configuration(host: "mail.cancellation.test", port: 25))
        try await Self.waitUntil { Resolver.executor.queuedJobs > 0 }
        let (error, elapsed) = await Self.cancel(task)
        #expect(error?.kind == .cancelled)
        #expect(error?.phase == .connect)
        #expect(elapsed < Self.prompt, "cancelled promptly (\(elapsed) s), not after the 300 s timeouts")
    }

    @Test func duringConnect() async throws {
        // A listener whose one-slot backlog is full: the kernel drops further SYNs, so a connect hangs.
        let listener = try TCPSocket.listen(host: "127.0.0.1", port: 0, backlog: 0)
        defer { listener.shutdown() }
        let filler = try TCPSocket.connect(host: "127.0.0.1", port: listener.localPort, deadline: .after(seconds: 5))
        defer { filler.close() }
        let task = try Self.send(Self.configuration(port: listener.localPort))
        try await Self.waitUntil { Self.synSent(toPort: listener.localPort) }
        let (error, elapsed) = await Self.cancel(task)
        #expect(error?.kind == .cancelled)
        #expect(error?.phase == .connect)
        #expect(elapsed < Self.prompt, "cancelled promptly (\(elapsed) s), not after the 300 s timeouts")
    }

    @Test func duringTheTLSHandshake() async throws {
        let helloSeen = Locked(false)
        let server = try ScriptedServer { peer in
            _ = try peer.stream.read(deadline: .after(seconds: 10))  // the ClientHello
            helloSeen.withLock { $0 = true }
            peer.stall(30)
        }
        let task = try Self.send(Self.configuration(port: server.port, security: .implicitTLS, ca: server.certificatePEM))
        try await Self.waitUntil { helloSeen.withLock { $0 } }
        let (error, elapsed) = await Self.cancel(task)
        await server.finish()
        #expect(error?.kind == .cancelled)
        #expect(error?.phase == .tls)
        #expect(elapsed < Self.prompt, "cancelled promptly (\(elapsed) s), not after the 300 s timeouts")
    }

    @Test func duringARead() async throws {
        var configuration = DevServerConfiguration()
        configuration.tls = .none
        configuration.holdGreetings = true
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        // Connected on both sides: the server accepted, and the client's connect returned (the
        // server's accept alone can come while the client's thread still sleeps in its connect
        // poll on a loaded machine, and a cancel then ends the connect phase).
        let connected = Locked(false)
        var client = Self.configuration(port: server.port)
        client.events = { event in
            if case .phaseFinished(.connect, _, ok: true) = event { connected.withLock { $0 = true } }
        }
        let task = try Self.send(client)
        try await Self.waitUntil { server.connectionCount == 1 && connected.withLock { $0 } }
        let (error, elapsed) = await Self.cancel(task)
        #expect(error?.kind == .cancelled)
        #expect(error?.phase == .greeting)
        #expect(elapsed < Self.prompt, "cancelled promptly (\(elapsed) s), not after the 300 s timeouts")
    }

    @Test func duringAWrite() async throws {
        let dataStarted = Locked(false)
        let server = try ScriptedServer { peer in
            try peer.greetAndHello(["8BITMIME"])
            try peer.expect("MAIL FROM:")
            try peer.send("250 ok\r\n")
            try peer.expect("RCPT TO:")
            try peer.send("250 ok\r\n")
            try peer.expect("DATA")
            try peer.send("354 go\r\n")
            _ = try peer.expect("Subject: big")  // the data is on its way: the client is writing it
            dataStarted.withLock { $0 = true }
            Thread.sleep(forTimeInterval: 30)  // reads no more of it: the client's write blocks
        }
        // 32 MiB: far more than the socket buffers hold, so the client is blocked in write.
        let message = Array("Subject: big\r\n\r\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 32 << 20)
        let task = try Self.send(Self.configuration(port: server.port), message: message)
        try await Self.waitUntil { dataStarted.withLock { $0 } }
        let (error, elapsed) = await Self.cancel(task)
        #expect(error?.kind == .cancelled)
        #expect(error?.phase == .data)
        #expect(error?.bodyWasSent == true)  // part of the data went out...
        #expect(error?.outcomeUnknown == false)  // ...but not its end, so the server cannot have accepted it
        #expect(elapsed < Self.prompt, "cancelled promptly (\(elapsed) s), not after the 300 s timeouts")
    }

    /// Whether this machine has a socket in SYN_SENT towards 127.0.0.1:`port` (/proc/net/tcp).
    static func synSent(toPort port: Int) -> Bool {
        // Read to the end: a /proc file has no size, and a busy machine's table is longer than one page.
        let data = FileHandle(forReadingAtPath: "/proc/net/tcp")?.readDataToEndOfFile() ?? Data()
        let table = String(decoding: data, as: UTF8.self)
        let remote = String(format: "0100007F:%04X", port)
        return table.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[2] == remote && fields[3] == "02"
        }
    }
}
