import NetworkIO

/// The part of ``SMTPPool`` that runs on an executor thread: one job per connection taken from
/// the pool, which delivers the send it was given and then, while the connection stays usable,
/// the sends that queued up meanwhile, resuming each sender as its message is done.
enum PoolWorker {
    /// How a job should treat the send it starts with.
    struct Start: Sendable {
        let first: PendingSend
        /// The connection carried earlier messages (a failure that looks like a dropped
        /// connection may then be retried once, on a connection known to be alive).
        let reused: Bool
        /// The connection sat idle past `healthCheckAfter`: NOOP before trusting it.
        let healthCheck: Bool
        /// Already bound to the connection's token (a send that waited while it was opening).
        let started: Bool
        /// How long a reused connection sat idle before this job.
        var idleSeconds: Double = 0
    }

    /// Delivers `start.first` and then queued sends over `connection`; returns the connection for
    /// the pool to keep or retire.
    static func deliver(on connection: SMTPConnection, _ start: Start, queue: PendingSends,
                        maxMessages: Int) -> SMTPConnection {
        var connection = connection
        var next: PendingSend? = start.first
        var started = start.started
        var reused = start.reused
        var idleSeconds = start.idleSeconds
        if start.healthCheck {
            guard started || queue.start(start.first.id, on: connection.token) else {
                queue.complete(start.first, with: .failed(PendingSends.cancelledWhileWaiting, retryable: false))
                return connection  // untouched: still good for the next send
            }
            started = true
            guard case .alive = connection.checkAlive(), !connection.token.isCancelled else {
                if connection.token.isCancelled {
                    queue.complete(start.first, with: .failed(cancelled, retryable: false))
                } else {
                    // Nothing of the message was sent; it goes first in line for another connection.
                    connection.report(.retried(reason: "the idle connection did not answer NOOP"))
                    queue.enqueue(start.first, atFront: true)
                }
                return connection
            }
        }
        while let send = next {
            if !started, !queue.start(send.id, on: connection.token) {
                queue.complete(send, with: .failed(PendingSends.cancelledWhileWaiting, retryable: false))
                next = queue.take()
                continue
            }
            if reused { connection.report(.reused(idleSeconds: idleSeconds)) }
            switch connection.send(envelope: send.envelope, message: send.message) {
            case .delivered(let result):
                queue.complete(send, with: .delivered(result))
            case .failed(let error):
                let stale = reused && !error.bodyWasSent && isStaleConnection(error)
                queue.complete(send, with: .failed(error, retryable: stale))
            case let other:
                preconditionFailure("send ended with \(other)")
            }
            guard !connection.token.isCancelled, connection.machine.isReady,
                  connection.machine.messagesDelivered < maxMessages else { break }
            next = queue.take()
            started = false
            reused = true
            idleSeconds = 0
        }
        return connection
    }

    /// A reused connection the server had already closed: a network error or 421 before the data.
    private static func isStaleConnection(_ error: SMTPError) -> Bool {
        (error.kind == .protocolViolation && error.reply == nil) || error.reply?.code == 421
    }

    private static let cancelled = SMTPError(.cancelled, phase: .connect, "the send was cancelled")
}
