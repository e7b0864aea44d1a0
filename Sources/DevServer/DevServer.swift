import Foundation
import NetworkIO

/// A small SMTP server on loopback for the demo, for tests, and for host apps testing their own
/// mail code: STARTTLS or implicit TLS with a self-signed certificate, AUTH PLAIN and LOGIN,
/// and every message captured in memory (and optionally as `.eml` files).
///
/// ```swift
/// var configuration = DevServerConfiguration()
/// configuration.users = ["demo": "secret"]
/// let server = try DevServer(configuration)
/// try server.start()
/// // ... send to 127.0.0.1:\(server.port), trusting server.certificatePEM ...
/// let messages = server.messages
/// server.stop()
/// ```
///
/// Each connection is served on its own thread; this is a test tool, not a production server.
public final class DevServer: @unchecked Sendable {
    /// The configuration it runs with.
    public let configuration: DevServerConfiguration
    /// The certificate clients must trust (`tls.ca`), PEM.
    public let certificatePEM: String
    let tlsContext: TLSContext?

    private let lock = NSLock()
    private var listener: TCPSocket?
    private var received: [ReceivedMessage] = []
    private var openStreams: [ObjectIdentifier: NetworkStream] = [:]
    private var acceptThread: Thread?
    private var boundPort = 0
    private var connections = 0
    private var mostConcurrent = 0

    /// Prepares a server (and its certificate); call ``start()`` to listen.
    public init(_ configuration: DevServerConfiguration = DevServerConfiguration()) throws {
        self.configuration = configuration
        let certificate = try configuration.certificate ?? SelfSignedCertificate()
        certificatePEM = certificate.certificatePEM
        if configuration.tls == .none {
            tlsContext = nil
        } else {
            tlsContext = try TLSContext(.server(certificateChainPEM: certificate.certificatePEM,
                                                privateKeyPEM: certificate.privateKeyPEM))
        }
    }

    deinit { stop() }

    /// The port it listens on (valid after ``start()``).
    public var port: Int { lock.withLock { boundPort } }

    /// Every message received so far, oldest first.
    public var messages: [ReceivedMessage] { lock.withLock { received } }

    /// How many connections were accepted so far.
    public var connectionCount: Int { lock.withLock { connections } }

    /// The most connections that were open at the same time.
    public var peakConcurrentConnections: Int { lock.withLock { mostConcurrent } }

    /// Drops every open connection without a word (as a server that restarts would), keeps listening.
    public func dropOpenConnections() {
        let streams = lock.withLock { Array(openStreams.values) }
        streams.forEach { $0.cancel() }
    }

    /// Forgets the messages received so far.
    public func clearMessages() { lock.withLock { received.removeAll() } }

    /// Binds and starts accepting connections on a background thread.
    /// - Throws: ``NetworkError`` when the address cannot be bound.
    public func start() throws {
        let socket = try TCPSocket.listen(host: configuration.host, port: configuration.port, backlog: 1024)
        lock.withLock {
            listener = socket
            boundPort = socket.localPort
        }
        let thread = Thread { [weak self] in
            while let client = try? socket.accept() {
                self?.serve(client)
            }
        }
        thread.name = "devserver-accept"
        acceptThread = thread
        thread.start()
    }

    /// Stops listening and drops every open connection.
    public func stop() {
        let (socket, streams) = lock.withLock { () -> (TCPSocket?, [NetworkStream]) in
            defer { listener = nil }
            return (listener, Array(openStreams.values))
        }
        socket?.shutdown()
        streams.forEach { $0.cancel() }
    }

    /// Waits until at least `count` messages have arrived or `timeout` seconds pass.
    /// - Returns: the messages received by then.
    public func waitForMessages(count: Int, timeout: Double = 10) async -> [ReceivedMessage] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let current = messages
            if current.count >= count { return current }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return messages
    }

    private func serve(_ socket: TCPSocket) {
        let stream = NetworkStream(socket: socket)
        let key = ObjectIdentifier(stream)
        lock.withLock {
            openStreams[key] = stream
            connections += 1
            mostConcurrent = max(mostConcurrent, openStreams.count)
        }
        let thread = Thread { [weak self] in
            guard let self else { return }
            let session = ServerSession(server: self, stream: stream)
            session.run()
            stream.close()
            self.lock.withLock { _ = self.openStreams.removeValue(forKey: key) }
        }
        thread.name = "devserver-session"
        thread.start()
    }

    func record(_ message: ReceivedMessage) {
        let count = lock.withLock { () -> Int in
            received.append(message)
            return received.count
        }
        if let directory = configuration.saveDirectory {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let name = String(format: "%05d-%@.eml", count, UUID().uuidString.prefix(8).lowercased())
            try? Data(message.data).write(to: directory.appendingPathComponent(name))
        }
    }
}
