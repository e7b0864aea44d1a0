import SMTPWire

/// A connection for one message (a fresh connection per send, Logto's default) in the fewest round
/// trips the RFCs allow. With PIPELINING offered, two waits go away:
///
/// - **AUTH PLAIN and the transaction in one group.** RFC 4954 §4: AUTH must end a pipelined group,
///   except with an initial response for a mechanism that is known to finish in one round trip
///   (PLAIN, EXTERNAL). So `AUTH PLAIN …`, MAIL, every RCPT and DATA go out in one write.
/// - **QUIT right after the data.** RFC 2920 §3.1: the message data may be the first "command" of a
///   group and QUIT may end one, so QUIT is written right after the data, before any reply is read;
///   the final reply and QUIT's answer come back together. RFC 5321 §4.1.1.10's SHOULD (wait for QUIT's reply) holds:
///   the machine still waits for it, briefly.
///
/// A refused transaction ends with QUIT at once: RSET is for a connection that goes on.
extension SMTPClientStateMachine {
    /// The one message of a connection: what ``SMTPClientStateMachine/init(configuration:hostName:oauthToken:oneMessage:)``
    /// is given to send as soon as the session is open.
    public struct OneMessage: Sendable {
        /// MAIL FROM and RCPT TO.
        public var envelope: SMTPEnvelope
        /// The RFC 5322 message, any line endings.
        public var message: [UInt8]

        /// A message for a connection of its own.
        /// - Parameters:
        ///   - envelope: MAIL FROM and RCPT TO.
        ///   - message: the RFC 5322 message, any line endings.
        public init(envelope: SMTPEnvelope, message: [UInt8]) {
            self.envelope = envelope
            self.message = message
        }
    }

    /// The transaction to send in AUTH's group, and its commands; nil when RFC 4954 §4 does not
    /// allow it (no PIPELINING, a mechanism that may need another step) or there is no message.
    mutating func transactionBehindAuthentication(_ sasl: SASLClient) -> (Transaction, [SMTPCommand])? {
        guard let message = oneMessage, extensions.pipelining, sasl.endsWithNextReply,
              case .success(let prepared) = prepareTransaction(envelope: message.envelope, message: message.message)
        else { return nil }
        oneMessage = nil
        return prepared
    }

    /// AUTH's answer when the transaction went out behind it. On success the transaction's replies
    /// follow (nil: read on). On a refusal the connection is dropped without QUIT: the server may
    /// have answered DATA with 354 and would take anything more, QUIT included, as message data,
    /// and the only way to end that data without delivering it is to close (RFC 5321 §4.1.1.4).
    mutating func pipelinedAuthenticationStep(_ action: SASLClient.Action, sasl: SASLClient,
                                              transaction: Transaction) -> Action? {
        guard case .succeeded = action else {
            let error: SMTPError
            if case .failed(let reply, _) = action {
                error = Self.authFailure(reply, mechanism: sasl.mechanism)
            } else {
                error = SMTPError(.authentication, phase: .auth, "authentication with \(sasl.mechanism.rawValue) failed")
            }
            note("authentication failed with the message's commands in flight; closing without QUIT")
            state = .closed
            return .close(.failed(error), quit: false)
        }
        authenticatedWith = sasl.mechanism
        sessionOpened = true
        state = .transaction(transaction)
        phase = .mail
        return nil
    }

    /// Whether QUIT goes out right behind the data, without waiting for the final reply: the
    /// connection ends after this message and the server pipelines (RFC 2920 §3.1). It is a write of
    /// its own after the data's (the same flight): a write that fails once the data's terminator is
    /// out leaves the outcome unknown, which a failure while the data itself is written never does.
    var pipelinesQuitBehindData: Bool {
        endsAfterOneMessage && extensions.pipelining
    }

    /// The final reply is in and QUIT is already on its way: its answer (or its absence) ends the
    /// connection with `pending`.
    mutating func awaitQuitAnswer(then pending: Outcome) -> Action? {
        state = .quitting(pending: pending)
        phase = .quit
        return nil
    }
}
