import Foundation
import Locking
import NetworkIO
import SMTPWire

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
/// Connections are served on a ``BlockingExecutor`` of the DevServers' own (a session blocks for as
/// long as its client stays connected, so it must not take threads from the clients of the same
/// process); this is a test tool, not a production server.
public final class DevServer: Sendable {
    /// The threads every DevServer's accept loops and sessions run on (at most 512).
    static let executor = BlockingExecutor(name: "devserver", maxThreads: 512)
    /// Where the timeouts of ``waitForMessages(count:timeout:)`` fire: a serial queue of our own,
    /// which Dispatch serves with an overcommitting thread. `DispatchQueue.global()` would not do:
    /// on Linux its threads are capped at the number of cores, and Tasks spinning on the
    /// cooperative pool count against that cap.
    static let timers = DispatchQueue(label: "devserver-timers")

    /// The configuration it runs with.
    public let configuration: DevServerConfiguration
    /// The certificate clients must trust (`tls.ca`), PEM.
    public let certificatePEM: String
    let tlsContext: TLSContext?

    private struct State {
        var listener: TCPSocket?
        var received: [ReceivedMessage] = []
        /// Messages dropped from memory by the bounds (maxKeptMessages, maxKeptBytes), for the waiters' counts.
        var dropped = 0
        var lastID = 0
        var openStreams: [ObjectIdentifier: NetworkStream] = [:]
        var boundPort = 0
        var connections = 0
        var mostConcurrent = 0
        var greetingsHeld: Bool
        var heldSessions: [DispatchSemaphore] = []
        /// Callers of ``waitForMessages(count:timeout:)``, by number, with the count each waits for.
        var waiters: [Int: (count: Int, continuation: CheckedContinuation<[ReceivedMessage], Never>)] = [:]
        var nextWaiter = 0
    }

    private let state: Locked<State>

    /// Prepares a server (and its certificate); call ``start()`` to listen.
    /// - Parameter configuration: what to offer and how to behave.
    /// - Throws: ``NetworkError`` when the certificate or TLS context cannot be made.
    public init(_ configuration: DevServerConfiguration = DevServerConfiguration()) throws {
        self.configuration = configuration
        state = Locked(State(greetingsHeld: configuration.holdGreetings))
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
    public var port: Int { state.withLock { $0.boundPort } }

    /// Every message received so far, oldest first.
    public var messages: [ReceivedMessage] { state.withLock { $0.received } }

    /// How many connections were accepted so far.
    public var connectionCount: Int { state.withLock { $0.connections } }

    /// The most connections that were open at the same time.
    public var peakConcurrentConnections: Int { state.withLock { $0.mostConcurrent } }

    /// Drops every open connection without a word (as a server that restarts would), keeps listening.
    public func dropOpenConnections() {
        let streams = state.withLock { Array($0.openStreams.values) }
        streams.forEach { $0.cancel() }
    }

    /// Forgets the messages received so far.
    public func clearMessages() { state.withLock { $0.received.removeAll() } }

    /// The message numbered `id`, if it is still kept.
    public func message(id: Int) -> ReceivedMessage? {
        state.withLock { $0.received.first { $0.id == id } }
    }

    /// Forgets the message numbered `id`.
    /// - Returns: whether it was kept.
    @discardableResult
    public func removeMessage(id: Int) -> Bool {
        state.withLock { state in
            guard let index = state.received.firstIndex(where: { $0.id == id }) else { return false }
            state.received.remove(at: index)
            return true
        }
    }

    /// Lets every held connection greet (see ``DevServerConfiguration/holdGreetings``), now and from now on.
    public func releaseGreetings() {
        let held = state.withLock { state -> [DispatchSemaphore] in
            state.greetingsHeld = false
            defer { state.heldSessions = [] }
            return state.heldSessions
        }
        held.forEach { $0.signal() }
    }

    /// Binds and starts accepting connections.
    /// - Throws: ``NetworkError`` when the address cannot be bound.
    public func start() throws {
        if let directory = configuration.saveDirectory { try Self.prepare(directory) }
        let socket = try TCPSocket.listen(host: configuration.host, port: configuration.port, backlog: 1024)
        state.withLock {
            $0.listener = socket
            $0.boundPort = socket.localPort
        }
        let serverName = configuration.serverName
        AcceptLoop(listener: socket, executor: Self.executor, maxConnections: configuration.maxConnections, refuse: { stream in
            let busy = SMTPReply(421, "4.3.2", "\(serverName) too many connections, try again later")
            try? stream.write(Array(busy.wireText.utf8), deadline: .after(seconds: 1))
        }, serve: { [weak self] client in
            guard let self else { return client.close() }
            self.serve(client)
        }).start()
    }

    /// Stops listening and drops every open connection.
    public func stop() {
        let (socket, streams, held) = state.withLock { state -> (TCPSocket?, [NetworkStream], [DispatchSemaphore]) in
            defer {
                state.listener = nil
                state.heldSessions = []
            }
            return (state.listener, Array(state.openStreams.values), state.heldSessions)
        }
        socket?.shutdown()
        streams.forEach { $0.cancel() }
        held.forEach { $0.signal() }
    }

    /// Waits until at least `count` messages have arrived or `timeout` seconds pass.
    ///
    /// Woken by the session that records the message, and by a Dispatch timer for the timeout: it
    /// needs no cooperative thread to notice either (only to resume the caller).
    /// - Returns: the messages received by then.
    public func waitForMessages(count: Int, timeout: Double = 10) async -> [ReceivedMessage] {
        await withCheckedContinuation { continuation in
            let waiter = state.withLock { state -> Int? in
                guard state.received.count + state.dropped < count else { return nil }
                defer { state.nextWaiter += 1 }
                state.waiters[state.nextWaiter] = (count, continuation)
                return state.nextWaiter
            }
            guard let waiter else { return continuation.resume(returning: messages) }
            Self.timers.asyncAfter(deadline: .now() + .nanoseconds(Int(max(0, timeout) * 1e9))) { [self] in
                let (expired, received) = state.withLock { ($0.waiters.removeValue(forKey: waiter), $0.received) }
                expired?.continuation.resume(returning: received)
            }
        }
    }

    private func serve(_ socket: TCPSocket) {
        let stream = NetworkStream(socket: socket)
        let key = ObjectIdentifier(stream)
        state.withLock {
            $0.openStreams[key] = stream
            $0.connections += 1
            $0.mostConcurrent = max($0.mostConcurrent, $0.openStreams.count)
        }
        ServerSession(server: self, stream: stream).run()
        stream.close()
        state.withLock { _ = $0.openStreams.removeValue(forKey: key) }
    }

    /// Blocks the session's thread while greetings are held.
    func waitUntilGreetingsAreReleased() {
        let gate = DispatchSemaphore(value: 0)
        let held = state.withLock { state -> Bool in
            guard state.greetingsHeld, state.listener != nil else { return false }
            state.heldSessions.append(gate)
            return true
        }
        if held { gate.wait() }
    }

    /// Keeps `message` under the next number, with `reply` (made from that number) at the end of
    /// its transcript, and returns the reply.
    func record(_ message: ReceivedMessage, reply: (Int) -> SMTPReply) -> SMTPReply {
        let (count, answer) = state.withLock { state -> (Int, SMTPReply) in
            state.lastID += 1
            let answer = reply(state.lastID)
            var numbered = message
            numbered.id = state.lastID
            numbered.receivedAt = Date()
            numbered.transcript += answer.wireText.split(separator: "\r\n").map { "S: " + $0 }
            state.received.append(numbered)
            // Bounded memory: the newest messages only (the others are on disk with saveDirectory).
            func size(_ message: ReceivedMessage) -> Int { message.data.count + message.transcript.reduce(0) { $0 + $1.utf8.count } }
            var kept = state.received.reduce(0) { $0 + size($1) }
            while state.received.count > 1,
                  state.received.count > configuration.maxKeptMessages || kept > configuration.maxKeptBytes {
                kept -= size(state.received.removeFirst())
                state.dropped += 1
            }
            return (state.lastID, answer)
        }
        let (satisfied, received) = state.withLock { state in
            let ready = state.waiters.filter { $0.value.count <= state.received.count + state.dropped }
            for key in ready.keys { state.waiters[key] = nil }
            return (ready.values.map(\.continuation), state.received)
        }
        satisfied.forEach { $0.resume(returning: received) }
        if let directory = configuration.saveDirectory {
            // 0600: captured mail holds codes and links meant for one person.
            let name = String(format: "%05d-%@.eml", count, UUID().uuidString.prefix(8).lowercased())
            FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data(message.data),
                                           attributes: [.posixPermissions: 0o600])
        }
        return answer
    }

    /// Creates the capture folder with mode 0700, or checks the one that is there: it must be a
    /// folder of this user's (another user's folder could be read, or swapped, by that user).
    /// - Throws: ``DevServerError`` naming the folder and what is wrong with it.
    static func prepare(_ directory: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw DevServerError("\(directory.path) is not a folder") }
            let attributes = try FileManager.default.attributesOfItem(atPath: directory.path)
            let owner = (attributes[.ownerAccountID] as? NSNumber)?.uint32Value
            guard owner == geteuid() else {
                throw DevServerError("\(directory.path) belongs to another user; captured mail goes only into a folder of this user's (give a new --dir)")
            }
            chmod(directory.path, 0o700)  // this user's own folder: private from now on
        } else {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw DevServerError("cannot create \(directory.path): \(error.localizedDescription)")
            }
        }
    }
}
