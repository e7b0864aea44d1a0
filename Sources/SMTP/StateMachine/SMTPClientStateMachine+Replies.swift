import NetworkIO
import SMTPWire

/// Replies: what each awaited reply moves the session to, RSET after a refused transaction, and
/// the sender check of `doctor`.
extension SMTPClientStateMachine {
    /// Handles one reply; nil when more replies are expected and already buffered replies should
    /// be handled next (or more bytes read).
    mutating func handle(_ reply: SMTPReply) -> Action? {
        // RFC 5321 §3.8: 421 means the server is closing the channel; answer nothing more.
        if reply.code == 421 {
            var error = SMTPError(.rejected, phase: phase, "the server is closing the connection", reply: reply,
                                  hint: "The server is shutting down or limiting connections; try again later.")
            if case .awaitingDataReply = state { error.bodyWasSent = true }
            return drop(error)
        }
        switch state {
        case .greeting: return greetingReceived(reply)
        case .ehlo(let name): return ehloReceived(reply, name: name)
        case .helo: return heloReceived(reply)
        case .startTLSCommand: return startTLSReceived(reply)
        case .authenticating(var sasl, let pipelined):
            let action = sasl.receive(reply)
            if let pipelined { return pipelinedAuthenticationStep(action, sasl: sasl, transaction: pipelined) }
            return authenticationStep(action, sasl: sasl)
        case .transaction(var transaction):
            let action = transactionReceived(reply, &transaction)
            if case .transaction = state { state = .transaction(transaction) }
            return action
        case .awaitingDataReply(let transaction): return finalReplyReceived(reply, transaction)
        case .endingEmptyData(let error): return reset(then: .failed(error))
        case .resetting(let pending): return resetReceived(reply, pending: pending)
        case .checkingSender(let sender): return senderChecked(reply, sender: sender)
        case .quitting(let pending):
            state = .closed
            return .close(pending, quit: true)
        case .checkingAlive:
            guard reply.isPositive else {
                state = .closed
                return .close(.failed(SMTPError(.rejected, phase: .mail, "the server refused NOOP", reply: reply)), quit: false)
            }
            state = .ready
            return .finish(.alive)
        case .awaitingConnection, .implicitHandshake, .startTLSHandshake, .writingData, .ready, .closed:
            return protocolViolation("the server sent a reply nobody asked for: \(Self.excerpt(reply.description))")
        }
    }

    /// RSET after a refused transaction (RFC 5321 §4.1.1.5), then `pending` is reported.
    mutating func reset(then pending: Outcome) -> Action {
        // A connection that ends after this transaction has nothing to reset for: QUIT at once.
        if endsAfterOneMessage { return beginQuit(then: pending) }
        state = .resetting(pending: pending)
        return sendCommands([.rset])
    }

    private mutating func resetReceived(_ reply: SMTPReply, pending: Outcome) -> Action {
        guard reply.isPositive else {
            state = .closed
            return .close(pending, quit: false)
        }
        state = .ready
        return .finish(pending)
    }

    private mutating func senderChecked(_ reply: SMTPReply, sender: String) -> Action {
        guard reply.isPositive else {
            return reset(then: .failed(SMTPError(.rejected, phase: .mail, "the server refuses <\(sender)> as sender", reply: reply,
                                                 hint: "Use an address the account may send from (a verified sender, or the account itself).")))
        }
        return reset(then: .senderAccepted(reply))
    }
}
