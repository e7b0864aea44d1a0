import ConnectorKit

/// What a sendmail program's ending means for the send: queued, or a ``ConnectorError`` with a
/// hint. Exit statuses are sendmail's (sysexits.h), which Postfix, Exim and sendmail all use.
enum SendmailOutcome {
    /// Nil when the program took the message (exit 0: the local MTA has queued it durably and
    /// retries it itself); else the error.
    static func error(for result: SendmailProcess.Result, path: String, timeout: Double) -> ConnectorError? {
        let said = result.errorOutput.isEmpty ? "" : ": \(result.errorOutput)"
        switch result.ending {
        case .exited(0) where result.inputComplete:
            return nil
        case .exited(0):
            // It stopped reading and still said yes: it may have queued part of the message.
            return ConnectorError(.outcomeUnknown, "\(path) exited 0 before it had read the whole message\(said)", phase: .data,
                                  hint: "Check the local MTA's log for what it queued before sending the message again.")
        case .exited(let status):
            return exitError(status, said: said, path: path)
        case .signalled(let signal):
            // A crash after the message was handed over may or may not have queued it.
            return ConnectorError(.outcomeUnknown, "\(path) was ended by signal \(signal)\(said)", phase: .data,
                                  hint: "Check the local MTA's log to see whether the message was queued before sending it again.")
        case .timedOut(inputComplete: false):
            return ConnectorError(.general, "\(path) did not take the message within \(Self.seconds(timeout)) s and was stopped; nothing was queued\(said)",
                                  phase: .data, hint: "Check that the local MTA is running (its queue directory writable), or raise timeout.",
                                  isTransient: true)
        case .cancelled(inputComplete: false):
            return ConnectorError(.cancelled, "the send was cancelled; \(path) was stopped before it had the whole message, so nothing was queued",
                                  phase: .data)
        case .cancelled(inputComplete: true):
            return ConnectorError(.cancelled, "the send was cancelled after \(path) had the whole message; it was stopped, but may have queued it\(said)",
                                  phase: .data, hint: "Check the local MTA's log (e.g. postqueue -p) before sending it again.")
        case .timedOut(inputComplete: true):
            // The whole message was handed over: the program may have queued it before it hung.
            return ConnectorError(.outcomeUnknown, "\(path) took the message but did not finish within \(Self.seconds(timeout)) s and was stopped\(said)",
                                  phase: .data, hint: "Check the local MTA's log (e.g. postqueue -p) before sending it again.")
        }
    }

    private static func exitError(_ status: Int32, said: String, path: String) -> ConnectorError {
        let message = "\(path) exited with status \(status) (\(name(status)))\(said)"
        switch status {
        case 64, 78:  // EX_USAGE, EX_CONFIG
            return ConnectorError(.invalidConfig, message, phase: .config,
                                  hint: "Check path and arguments, and the local MTA's own configuration (postfix check).")
        case 65, 67, 68:  // EX_DATAERR, EX_NOUSER, EX_NOHOST
            return ConnectorError(.invalidRequest, message, phase: .rcpt,
                                  hint: "The local MTA refused the message or a recipient; check the addresses (and its log).")
        case 77:  // EX_NOPERM
            return ConnectorError(.authorizationFailed, message, phase: .auth,
                                  hint: "This user may not submit mail: for Postfix, see authorized_submit_users and the postdrop group.")
        case 69, 71, 74, 75:  // EX_UNAVAILABLE, EX_OSERR, EX_IOERR, EX_TEMPFAIL: nothing queued, try again later
            return ConnectorError(.general, message, phase: .data,
                                  hint: "The local MTA could not queue the message now (is it running? is its disk full?); a later try may work.",
                                  isTransient: true)
        default:
            return ConnectorError(.general, message, phase: .data, hint: "See the local MTA's log for why it refused the message.")
        }
    }

    /// sysexits.h's name for `status`.
    static func name(_ status: Int32) -> String {
        let names: [Int32: String] = [
            64: "EX_USAGE", 65: "EX_DATAERR", 66: "EX_NOINPUT", 67: "EX_NOUSER", 68: "EX_NOHOST", 69: "EX_UNAVAILABLE",
            70: "EX_SOFTWARE", 71: "EX_OSERR", 72: "EX_OSFILE", 73: "EX_CANTCREAT", 74: "EX_IOERR", 75: "EX_TEMPFAIL",
            76: "EX_PROTOCOL", 77: "EX_NOPERM", 78: "EX_CONFIG",
        ]
        return names[status] ?? "not a sysexits status"
    }

    private static func seconds(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(value)
    }
}
