import Foundation
import NetworkIO
import SMTPWire

/// What the driver does around the state machine: the connect error with its fix, and running a
/// blocking body on the executor with the Task's cancellation reaching the socket.
extension SMTPConnection {
    /// A failure to reach the server, with its fix.
    static func connectError(_ error: NetworkError, configuration: SMTPClientConfiguration,
                             operationDeadline: Deadline = .never) -> SMTPError {
        switch error.kind {
        case .cancelled:
            return SMTPError(.cancelled, phase: .connect, "the send was cancelled")
        case .timeout, .resolveTimeout:
            var (name, seconds) = error.kind == .resolveTimeout
                ? ("dnsTimeout", configuration.timeouts.dns) : ("connectionTimeout", configuration.timeouts.connection)
            if let send = configuration.timeouts.send, operationDeadline.hasPassed, send <= seconds { (name, seconds) = ("sendTimeout", send) }
            let text = seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)
            return SMTPError(.timeout, phase: .connect, "no answer within \(name) (\(text) s): \(error.message)",
                             hint: "Check that the host and port are right and reachable, or raise \(name).")
        case .resolve:
            return SMTPError(.connection, phase: .connect, error.message, hint: "Check the host name.")
        default:
            return SMTPError(.connection, phase: .connect, error.message,
                             hint: "Check host and port, and that a firewall allows the connection.")
        }
    }

    /// Runs `body` on `executor`; the Task's cancellation reaches `token` (which shuts the socket down).
    static func onExecutor<T: Sendable>(_ executor: BlockingExecutor, token: CancellationToken,
                                        _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withTaskCancellationHandler {
            try await executor.run(body)
        } onCancel: {
            token.cancel()
        }
    }
}
