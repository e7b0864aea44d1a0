import Glibc
import Locking

/// The accept loop of every server here (the DevServer, the console's HTTP server): it accepts
/// until the listener is shut down, outlives running out of descriptors, and serves at most
/// `maxConnections` clients at once.
///
/// - Each admitted connection runs `serve` on a thread of `executor`; `serve` owns the socket.
/// - A connection past the cap is answered by `refuse` on the accepting thread (a one-line "busy"
///   reply: 421 in SMTP, RFC 5321 §3.1; 503 in HTTP, RFC 9110 §15.6.4) and closed at once, so it
///   neither waits in a queue holding its descriptor nor delays the next accept.
/// - EMFILE, ENFILE, ENOBUFS or ENOMEM end one accept, not the loop: it pauses for `retryPause`
///   (new connections wait in the kernel's backlog meanwhile) and accepts again.
package final class AcceptLoop: Sendable {
    private let listener: TCPSocket
    private let executor: BlockingExecutor
    private let maxConnections: Int
    private let retryPause: Double
    private let refuse: @Sendable (NetworkStream) -> Void
    private let serve: @Sendable (TCPSocket) -> Void
    private let open = Locked(0)

    /// A loop over `listener`; nothing is accepted until ``start()``.
    /// - Parameters:
    ///   - listener: a listening socket; shutting it down ends the loop.
    ///   - executor: the threads the loop and the connections run on.
    ///   - maxConnections: the most connections served at once (at least 1).
    ///   - retryPause: seconds to wait after the process or system ran out of descriptors.
    ///   - refuse: writes the "busy" reply to a connection past the cap (the loop closes it after).
    ///   - serve: serves one admitted connection and closes it.
    package init(listener: TCPSocket, executor: BlockingExecutor, maxConnections: Int, retryPause: Double = 0.1,
                 refuse: @escaping @Sendable (NetworkStream) -> Void, serve: @escaping @Sendable (TCPSocket) -> Void) {
        self.listener = listener
        self.executor = executor
        self.maxConnections = max(1, maxConnections)
        self.retryPause = retryPause
        self.refuse = refuse
        self.serve = serve
    }

    /// The connections being served now.
    package var openConnections: Int { open.withLock { $0 } }

    /// Starts accepting on a thread of the executor.
    package func start() {
        executor.execute { [self] in run() }
    }

    private func run() {
        while true {
            let client: TCPSocket
            do {
                guard let accepted = try listener.accept() else { return }  // shut down
                client = accepted
            } catch {
                usleep(useconds_t(retryPause * 1_000_000))  // out of descriptors: let some be freed
                continue
            }
            let admitted = open.withLock { count -> Bool in
                guard count < maxConnections else { return false }
                count += 1
                return true
            }
            guard admitted else {
                let stream = NetworkStream(socket: client)
                refuse(stream)
                stream.close()
                continue
            }
            executor.execute { [self] in
                serve(client)
                open.withLock { $0 -= 1 }
            }
        }
    }
}
