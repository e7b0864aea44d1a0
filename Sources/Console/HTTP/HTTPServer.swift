import ConnectorKit
import Dispatch
import Foundation
import Locking
import NetworkIO

/// The console's HTTP/1.1 server: accepts on one address, reads requests with
/// ``HTTPRequestParser``, refuses what ``ConsoleAccessPolicy`` refuses, and answers the rest with
/// an async handler.
///
/// Connections run on an executor of their own (threads named `console-http`), never on Swift's
/// cooperative pool: a connection's thread blocks on its socket, and runs the async handler itself
/// (so a request is answered however busy the host's Tasks keep the pool). A bad request is answered with its status and a JSON error, the
/// connection is closed, and the server keeps serving.
public final class HTTPServer: Sendable {
    /// Answers one request that passed the access checks.
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    /// Threads for accept loops and connections, shared by every console server in the process.
    static let executor = BlockingExecutor(name: "console-http", maxThreads: 160)

    private let host: String
    private let requestedPort: Int
    private let makePolicy: @Sendable (Int) -> ConsoleAccessPolicy
    private let handler: Handler
    private let idleTimeout: Double
    private let requestTimeout: Double
    private let maxConnections: Int
    private let state = Locked(State())

    private struct State {
        var listener: TCPSocket?
        var port = 0
        var policy: ConsoleAccessPolicy?
        var open: [ObjectIdentifier: NetworkStream] = [:]
    }

    /// Creates a server; nothing listens until ``start()``.
    /// - Parameters:
    ///   - host: the address to listen on.
    ///   - port: the port (0 picks a free one).
    ///   - token: the access token of this run.
    ///   - idleTimeout: seconds a kept-alive connection may sit without a request.
    ///   - requestTimeout: seconds for a whole request, head and body, from its first byte (a
    ///     client that trickles it gets a 408, not a fresh deadline per read).
    ///   - maxConnections: the most connections served at once; past it a client gets 503 at once.
    ///   - handler: answers requests that passed the access checks.
    public init(host: String, port: Int, token: String, idleTimeout: Double = 60, requestTimeout: Double = 30,
                maxConnections: Int = 64, handler: @escaping Handler) {
        self.host = host
        requestedPort = port
        makePolicy = { ConsoleAccessPolicy(token: token, host: host, port: $0) }
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maxConnections = maxConnections
        self.handler = handler
    }

    /// The port listened on, once started.
    public var port: Int { state.withLock { $0.port } }

    /// Binds and starts accepting connections.
    /// - Throws: ``NetworkError`` when the address cannot be bound.
    public func start() throws {
        let socket = try TCPSocket.listen(host: host, port: requestedPort, backlog: 128)
        let port = socket.localPort
        state.withLock {
            $0.listener = socket
            $0.port = port
            $0.policy = makePolicy(port)
        }
        AcceptLoop(listener: socket, executor: Self.executor, maxConnections: maxConnections, refuse: { stream in
            let busy = HTTPResponse.error(status: 503, code: "busy", message: "the console serves too many connections; try again")
            try? stream.write(busy.serialized(closing: true), deadline: .after(seconds: 1))
        }, serve: { [self] client in serve(client) }).start()
    }

    /// Stops listening and closes every open connection.
    public func stop() {
        let (listener, open) = state.withLock { state in
            defer { state.listener = nil }
            return (state.listener, Array(state.open.values))
        }
        listener?.shutdown()
        open.forEach { $0.cancel() }
    }

    private func serve(_ socket: TCPSocket) {
        let stream = NetworkStream(socket: socket)
        let key = ObjectIdentifier(stream)
        state.withLock { $0.open[key] = stream }
        run(stream)
        stream.close()
        state.withLock { _ = $0.open.removeValue(forKey: key) }
    }

    /// Reads requests until the client closes, asks to close, goes idle, or sends a bad request.
    private func run(_ stream: NetworkStream) {
        var parser = HTTPRequestParser()
        var requestDeadline: Deadline?
        guard let policy = state.withLock({ $0.policy }) else { return }
        while true {
            do {
                while let request = try parser.next() {
                    let response: HTTPResponse
                    if let refusal = policy.refusal(request) {
                        response = .error(status: 403, code: "forbidden", message: refusal)
                    } else {
                        response = answer(request)
                    }
                    try stream.write(response.serialized(closing: request.closesConnection), deadline: .after(seconds: 30))
                    if request.closesConnection { return }
                    requestDeadline = nil  // the next request's clock starts with its first byte
                }
            } catch let error as HTTPParseError {
                let response = HTTPResponse.error(status: error.status, code: "bad_request", message: error.message)
                try? stream.write(response.serialized(closing: true), deadline: .after(seconds: 5))
                return
            } catch {
                return  // the write failed: the client is gone
            }
            // Waiting for a request: `idleTimeout`. Once one began, it has `requestTimeout` in all.
            if !parser.hasPartialRequest {
                requestDeadline = nil
            } else if requestDeadline == nil {
                requestDeadline = .after(seconds: requestTimeout)  // the start of a pipelined request
            }
            let deadline = requestDeadline ?? .after(seconds: idleTimeout)
            let bytes: [UInt8]
            do {
                bytes = try stream.read(deadline: deadline)
            } catch let error as NetworkError where error.kind == .timeout && parser.hasPartialRequest {
                let response = HTTPResponse.error(status: 408, code: "request_timeout",
                                                  message: "the request did not arrive within \(Int(requestTimeout)) s")
                try? stream.write(response.serialized(closing: true), deadline: .after(seconds: 5))
                return
            } catch {
                return
            }
            guard !bytes.isEmpty else { return }
            if !parser.hasPartialRequest { requestDeadline = .after(seconds: requestTimeout) }
            parser.feed(bytes)
        }
    }

    /// Runs the async handler on this executor thread itself (``CallingThreadExecutor``): serving
    /// a request never waits for a free thread of Swift's cooperative pool, which a busy host
    /// may keep occupied for as long as it likes.
    private func answer(_ request: HTTPRequest) -> HTTPResponse {
        let handler = self.handler
        return CallingThreadExecutor.run { await handler(request) }
    }
}

extension HTTPResponse {
    /// A JSON error in the CLI's `--json` shape: `{"error": {"code", "message"}}`.
    /// - Parameters:
    ///   - status: the HTTP status.
    ///   - code: the error code, e.g. "forbidden".
    ///   - message: what went wrong.
    public static func error(status: Int, code: String, message: String) -> HTTPResponse {
        .json(["error": ["code": .string(code), "message": .string(message)]], status: status)
    }
}
