import SMTPWire

/// One message: MAIL, RCPT for each recipient and DATA, pipelined when the server offers it
/// (RFC 2920), then the data and its final reply.
extension SMTPClientStateMachine {
    /// A reply a pipelined or stepwise transaction still waits for.
    enum Expectation: Sendable, Equatable {
        case mail, rcpt(Int), data

        var phase: SMTPPhase {
            switch self {
            case .mail: .mail
            case .rcpt: .rcpt
            case .data: .data
            }
        }
    }

    /// A transaction in flight: the replies still expected, in order (RFC 2920 §3.1), and what the
    /// ones already read said.
    struct Transaction: Sendable {
        let envelope: SMTPEnvelope
        /// The message as given; dot-stuffed only once the server said 354.
        let message: [UInt8]
        let pipelined: Bool
        var expected: [Expectation]
        var mailReply: SMTPReply?
        var dataReply: SMTPReply?
        var accepted: [String] = []
        var rejected: [SMTPSendResult.Rejection] = []
        /// QUIT goes out right after the data (+OneMessage): its answer follows the final reply.
        var quitFollows = false
    }

    mutating func startTransaction(envelope: SMTPEnvelope, message: [UInt8]) -> Action {
        switch prepareTransaction(envelope: envelope, message: message) {
        case .failure(let error):
            // Refused before a byte was written: the connection stays ready.
            return .finish(.failed(error))
        case .success(let (transaction, commands)):
            state = .transaction(transaction)
            phase = .mail
            return sendCommands(commands)
        }
    }

    /// The transaction for a message and the commands that start it (all of them with PIPELINING),
    /// or why the message cannot go; changes nothing.
    func prepareTransaction(envelope: SMTPEnvelope, message: [UInt8]) -> Result<(Transaction, [SMTPCommand]), SMTPError> {
        let parameters: [String]
        do {
            try envelope.validate()
            parameters = try mailParameters(envelope: envelope, message: message)
        } catch let error as SMTPError {
            return .failure(error)
        } catch {
            return .failure(SMTPError(.invalidInput, phase: .mail, "\(error)"))
        }
        let mail = SMTPCommand.mailFrom(envelope.from, parameters: parameters)
        let recipients = envelope.recipients.map(SMTPCommand.rcptTo)
        let pipelined = extensions.pipelining
        let expected: [Expectation] = pipelined ? [.mail] + recipients.indices.map(Expectation.rcpt) + [.data] : [.mail]
        let transaction = Transaction(envelope: envelope, message: message, pipelined: pipelined, expected: expected)
        return .success((transaction, pipelined ? [mail] + recipients + [.data] : [mail]))
    }

    /// One reply of the transaction; nil when the next one is already expected.
    mutating func transactionReceived(_ reply: SMTPReply, _ transaction: inout Transaction) -> Action? {
        let expectation = transaction.expected.removeFirst()
        switch expectation {
        case .mail:
            transaction.mailReply = reply
            if !transaction.pipelined {
                guard reply.isPositive else { return reset(then: .failed(senderRefused(transaction))) }
                transaction.expected = [.rcpt(0)]
                phase = .rcpt
                return sendCommands([.rcptTo(transaction.envelope.recipients[0])])
            }
        case .rcpt(let index):
            let recipient = transaction.envelope.recipients[index]
            if reply.isPositive {
                transaction.accepted.append(recipient)
            } else {
                transaction.rejected.append(.init(recipient: recipient, reply: reply))
            }
            if !transaction.pipelined {
                if index + 1 < transaction.envelope.recipients.count {
                    transaction.expected = [.rcpt(index + 1)]
                    return sendCommands([.rcptTo(transaction.envelope.recipients[index + 1])])
                }
                guard !transaction.accepted.isEmpty else { return reset(then: .failed(everyRecipientRefused(transaction))) }
                transaction.expected = [.data]
                phase = .data
                return sendCommands([.data])
            }
        case .data:
            transaction.dataReply = reply
            if !transaction.pipelined { return dataAnswered(transaction) }
        }
        if let next = transaction.expected.first {
            phase = next.phase
            return nil
        }
        return pipelineAnswered(transaction)
    }

    /// Every pipelined reply is in: decide from all of them.
    private mutating func pipelineAnswered(_ transaction: Transaction) -> Action {
        if transaction.mailReply?.isPositive != true {
            return abandon(transaction, with: senderRefused(transaction))
        }
        if transaction.accepted.isEmpty {
            return abandon(transaction, with: everyRecipientRefused(transaction))
        }
        return dataAnswered(transaction)
    }

    /// Nothing to deliver. RFC 2920 §3.1: a pipelined DATA may still have been accepted; end it with
    /// an empty body before RSET.
    private mutating func abandon(_ transaction: Transaction, with error: SMTPError) -> Action {
        guard transaction.dataReply?.code == 354 else { return reset(then: .failed(error)) }
        state = .endingEmptyData(error)
        phase = .data
        return .sendBody(Array(".\r\n".utf8))
    }

    private mutating func dataAnswered(_ transaction: Transaction) -> Action {
        guard let reply = transaction.dataReply, reply.code == 354 else {
            return reset(then: .failed(SMTPError(.rejected, phase: .data, "the server refused DATA", reply: transaction.dataReply)))
        }
        // After 354 a server waits for the data; bytes already here cannot be the reply to data not
        // yet sent, and taking them as that reply would report a delivery the server never saw.
        guard decoder.bufferedByteCount == 0 else {
            return protocolViolation("the server sent \(decoder.bufferedByteCount) bytes after 354, before the message data")
        }
        var transaction = transaction
        let data = DotStuffer.encode(transaction.message)
        log(.client, "<\(data.count) octets of message data>")
        transaction.quitFollows = pipelinesQuitBehindData
        state = .writingData(transaction)
        phase = .data
        return .sendBody(data)
    }

    /// The reply to the end of the data; nil when QUIT's answer follows it.
    mutating func finalReplyReceived(_ reply: SMTPReply, _ transaction: Transaction) -> Action? {
        guard reply.isPositive else {
            var error = SMTPError(.rejected, phase: .data, "the server refused the message", reply: reply)
            error.bodyWasSent = true
            if transaction.quitFollows { return awaitQuitAnswer(then: .failed(error)) }
            return reset(then: .failed(error))
        }
        messagesDelivered += 1
        let delivered = Outcome.delivered(SMTPSendResult(accepted: transaction.accepted, rejected: transaction.rejected, response: reply,
                                                         tlsVersion: tlsVersion, authenticatedWith: authenticatedWith))
        if transaction.quitFollows { return awaitQuitAnswer(then: delivered) }
        state = .ready
        return .finish(delivered)
    }

    private func senderRefused(_ transaction: Transaction) -> SMTPError {
        SMTPError(.rejected, phase: .mail, "the server refused the sender <\(transaction.envelope.from)>", reply: transaction.mailReply)
    }

    private func everyRecipientRefused(_ transaction: Transaction) -> SMTPError {
        SMTPError(.rejected, phase: .rcpt,
                  "the server refused every recipient (\(transaction.rejected.map(\.recipient).joined(separator: ", ")))",
                  reply: transaction.rejected.first?.reply)
    }

    /// MAIL FROM parameters: SIZE (RFC 1870), BODY=8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531).
    /// Refuses locally what the server announced it would refuse.
    func mailParameters(envelope: SMTPEnvelope, message: [UInt8]) throws -> [String] {
        if let limit = extensions.maximumSize, message.count > limit {
            throw SMTPError(.invalidInput, phase: .mail,
                            "the message is \(message.count) octets; the server accepts at most \(limit) (SIZE)",
                            hint: "Send a smaller message (fewer or smaller attachments).")
        }
        var parameters: [String] = []
        if extensions.maximumSize != nil { parameters.append("SIZE=\(message.count)") }
        // RFC 6532 §3: raw UTF-8 in the header section (e.g. a Reply-To with a non-ASCII local part)
        // is an internationalized message, which only an SMTPUTF8 session may carry (RFC 6531 §3.4).
        let needsUTF8 = envelope.needsSMTPUTF8 || Self.headerSectionHasEightBitBytes(message)
        if needsUTF8 && !extensions.smtpUTF8 {
            throw SMTPError(.invalidInput, phase: .mail,
                            "an address or header is not ASCII and the server does not offer SMTPUTF8",
                            hint: "Use an ASCII address (an internationalized domain can be written in punycode, xn--...), or a server that supports SMTPUTF8.")
        }
        if needsUTF8 || message.contains(where: { $0 >= 0x80 }) {
            guard extensions.eightBitMIME || extensions.smtpUTF8 else {
                throw SMTPError(.invalidInput, phase: .mail, "the message has 8-bit content and the server does not offer 8BITMIME",
                                hint: "Encode the body as quoted-printable or base64 (the connector's composer does this).")
            }
            parameters.append("BODY=8BITMIME")
        }
        if needsUTF8 { parameters.append("SMTPUTF8") }
        return parameters
    }

    /// Whether any byte before the first empty line (the header section) is not ASCII.
    static func headerSectionHasEightBitBytes(_ message: [UInt8]) -> Bool {
        var lineLength = 0
        for byte in message {
            if byte >= 0x80 { return true }
            if byte == 0x0A {
                if lineLength == 0 { return false }  // the empty line (CRLF or LF) before the body
                lineLength = 0
            } else if byte != 0x0D {
                lineLength += 1
            }
        }
        return false
    }
}
