import SMTPWire
import Foundation
import NetworkIO

/// One SMTP connection driven to completion on the calling thread (blocking).
///
/// `SMTPClient` runs it on a thread of its own so Swift's cooperative pool never blocks. The
/// order is RFC 5321's: connect, (implicit TLS), greeting, EHLO, STARTTLS + EHLO again, AUTH,
/// MAIL, RCPT..., DATA, QUIT.
final class SMTPSession: @unchecked Sendable {
    let configuration: SMTPClientConfiguration
    private let tlsContext: TLSContext?
    private(set) var stream: NetworkStream?
    private var decoder = ReplyDecoder()
    private(set) var extensions = ServerExtensions()
    var authenticatedWith: SASLMechanism?
    let cancellation: CancellationHandle
    /// The XOAUTH2 token, fetched by the client before the session starts.
    let oauthToken: String?
    /// Messages delivered on this connection, for the pool's `maxMessages`.
    private(set) var messagesSent = 0

    init(configuration: SMTPClientConfiguration, tlsContext: TLSContext?, cancellation: CancellationHandle,
         oauthToken: String? = nil) {
        self.configuration = configuration
        self.tlsContext = tlsContext
        self.cancellation = cancellation
        self.oauthToken = oauthToken
    }

    /// Connects, greets, secures and authenticates, per the configuration.
    func open() throws {
        try connect()
        try implicitTLSIfConfigured()
        _ = try greeting()
        try hello()
        try secureIfNeeded()
        try authenticateIfConfigured()
    }

    /// The TCP connection (`connectionTimeout`).
    func connect() throws {
        stream = try openStream()
    }

    /// The TLS handshake first thing, for `secure: true`.
    func implicitTLSIfConfigured() throws {
        if configuration.security == .implicitTLS {
            try upgradeToTLS(phase: .connect, deadline: .after(seconds: configuration.timeouts.connection))
        }
    }

    /// The server's 220 greeting (`greetingTimeout`).
    func greeting() throws -> SMTPReply {
        let greeting = try readReply(phase: .greeting, deadline: .after(seconds: configuration.timeouts.greeting),
                                     timeoutName: "greetingTimeout")
        guard greeting.code == 220 else {
            throw SMTPError(.rejected, phase: .greeting,
                            "the server did not greet with 220", reply: greeting,
                            hint: greeting.isTransient ? "The server is busy or refusing connections; try again later." : nil)
        }
        return greeting
    }

    private func openStream() throws -> NetworkStream {
        do {
            let socket = try TCPSocket.connect(host: configuration.host, port: configuration.port,
                                               localAddress: configuration.localAddress,
                                               deadline: .after(seconds: configuration.timeouts.connection))
            let stream = NetworkStream(socket: socket)
            try cancellation.attach(stream)
            note("connected to \(configuration.host):\(configuration.port)")
            return stream
        } catch let error as NetworkError {
            throw map(error, phase: .connect, timeoutName: "connectionTimeout")
        }
    }

    /// EHLO, or HELO when the server does not know EHLO (RFC 5321 §3.2).
    func hello() throws {
        let name = try clientName()
        let reply = try exchange(.ehlo(name), phase: .ehlo)
        if reply.isPositive {
            extensions = ServerExtensions(ehloReply: reply)
            return
        }
        guard reply.code >= 500 else {
            throw SMTPError(.rejected, phase: .ehlo, "the server refused EHLO", reply: reply)
        }
        let helo = try exchange(.helo(name), phase: .ehlo)
        guard helo.isPositive else {
            throw SMTPError(.rejected, phase: .ehlo, "the server refused both EHLO and HELO", reply: helo,
                            hint: "Set `name` to this machine's fully qualified domain name.")
        }
        extensions = ServerExtensions()
    }

    /// STARTTLS and EHLO again, when the configuration and the server call for it.
    func secureIfNeeded() throws {
        guard stream?.isSecure == false else { return }
        switch configuration.security {
        case .implicitTLS, .plaintext:
            return
        case .startTLSOpportunistic where !extensions.startTLS:
            note("the server does not offer STARTTLS; continuing without TLS")
            return
        case .startTLSRequired where !extensions.startTLS:
            throw SMTPError(.tls, phase: .tls, "the server does not offer STARTTLS and requireTLS is set",
                            hint: "Use secure: true with port 465 if the server supports implicit TLS; never turn off requireTLS to work around this, as it would send your password in clear text.")
        default:
            break
        }
        let reply = try exchange(.startTLS, phase: .tls)
        guard reply.code == 220 else {
            throw SMTPError(.tls, phase: .tls, "the server refused STARTTLS", reply: reply)
        }
        // RFC 3207 §4.2: bytes that came after the 220 but before the handshake were not protected
        // by TLS (a man in the middle may have injected them). Drop them and every capability.
        if decoder.bufferedByteCount > 0 {
            note("discarding \(decoder.bufferedByteCount) bytes received before the TLS handshake")
        }
        decoder.reset()
        extensions = ServerExtensions()
        try upgradeToTLS(phase: .tls, deadline: .after(seconds: configuration.timeouts.socket))
        try hello()
    }

    private func upgradeToTLS(phase: SMTPPhase, deadline: Deadline) throws {
        guard let stream, let tlsContext else { return }
        let serverName = configuration.tls.nameToVerify(host: configuration.host)
        do {
            try stream.startTLS(tlsContext, serverName: serverName, deadline: deadline)
            note("TLS established (\(stream.tlsVersion ?? "unknown version"))")
        } catch let error as NetworkError {
            var mapped = map(error, phase: .tls, timeoutName: phase == .connect ? "connectionTimeout" : "socketTimeout")
            if error.kind == .certificate {
                mapped.hint = "The certificate must be valid for \"\(serverName)\" and chain to a trusted CA. For a private CA, set tls.ca to its PEM (text or file path); set tls.servername if you connect by IP address. Turning off tls.rejectUnauthorized exposes the password."
            } else if phase == .connect {
                // OpenSSL reads a plaintext "220 ..." greeting as a TLS record of a wrong version.
                let plaintext = ["wrong version number", "packet length too long", "record layer failure", "unexpected eof"]
                    .contains { error.message.lowercased().contains($0) }
                mapped.message += plaintext ? " (the server answered in plain text)" : ""
                mapped.hint = plaintext
                    ? "Port \(configuration.port) expects STARTTLS or plain SMTP, not implicit TLS: set secure to false (and keep requireTLS true)."
                    : "Port \(configuration.port) may not speak implicit TLS: use secure: false (STARTTLS) for ports 25 and 587, secure: true for 465."
            }
            throw mapped
        }
    }

    /// The EHLO name: the configured one, else a dotted host name, else an address literal.
    private func clientName() throws -> String {
        if let name = configuration.clientName {
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw SMTPError(.invalidInput, phase: .ehlo, "the EHLO name \(name.debugDescription) must be printable ASCII without spaces",
                                hint: "Set `name` to this machine's fully qualified domain name, or leave it out.")
            }
            return name
        }
        let hostName = ProcessInfo.processInfo.hostName
        if hostName.contains("."), hostName.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 }),
           !hostName.hasSuffix(".localdomain") {
            return hostName
        }
        return stream?.socket.localAddressLiteral ?? "[127.0.0.1]"
    }

    /// Sends one message on the open session.
    func send(envelope: SMTPEnvelope, message: [UInt8]) throws -> SMTPSendResult {
        try envelope.validate()
        let parameters = try mailParameters(envelope: envelope, message: message)
        let mail = SMTPCommand.mailFrom(envelope.from, parameters: parameters)
        let recipients = envelope.recipients.map(SMTPCommand.rcptTo)
        let (mailReply, rcptReplies, dataReply) = extensions.pipelining
            ? try pipelinedEnvelope(mail, recipients)
            : try stepwiseEnvelope(mail, recipients)

        guard mailReply.isPositive else {
            if dataReply?.code == 354 { _ = try? finishEmptyData() }
            throw SMTPError(.rejected, phase: .mail, "the server refused the sender <\(envelope.from)>", reply: mailReply)
        }
        var accepted: [String] = []
        var rejected: [SMTPSendResult.Rejection] = []
        for (recipient, reply) in zip(envelope.recipients, rcptReplies) {
            if reply.isPositive {
                accepted.append(recipient)
            } else {
                rejected.append(.init(recipient: recipient, reply: reply))
            }
        }
        guard !accepted.isEmpty else {
            // RFC 2920 §3.1: a pipelined DATA may still have been accepted; end it with an empty body.
            if dataReply?.code == 354 { _ = try? finishEmptyData() } else { try? reset() }
            throw SMTPError(.rejected, phase: .rcpt,
                            "the server refused every recipient (\(rejected.map(\.recipient).joined(separator: ", ")))",
                            reply: rejected.first?.reply)
        }
        let start = try dataReply ?? exchange(.data, phase: .data)
        guard start.code == 354 else {
            throw SMTPError(.rejected, phase: .data, "the server refused DATA", reply: start)
        }
        let response = try sendData(DotStuffer.encode(message))
        guard response.isPositive else {
            var error = SMTPError(.rejected, phase: .data, "the server refused the message", reply: response)
            error.bodyWasSent = true
            throw error
        }
        messagesSent += 1
        return SMTPSendResult(accepted: accepted, rejected: rejected, response: response,
                              tlsVersion: stream?.tlsVersion, authenticatedWith: authenticatedWith)
    }

    /// MAIL FROM parameters: SIZE (RFC 1870), BODY=8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531).
    /// Refuses locally what the server announced it would refuse.
    private func mailParameters(envelope: SMTPEnvelope, message: [UInt8]) throws -> [String] {
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

    /// One command, one reply, in turn.
    private func stepwiseEnvelope(_ mail: SMTPCommand, _ recipients: [SMTPCommand]) throws -> (SMTPReply, [SMTPReply], SMTPReply?) {
        let mailReply = try exchange(mail, phase: .mail)
        guard mailReply.isPositive else { return (mailReply, [], nil) }
        var replies: [SMTPReply] = []
        for command in recipients { replies.append(try exchange(command, phase: .rcpt)) }
        return (mailReply, replies, nil)
    }

    /// RFC 2920: MAIL, every RCPT and DATA in one write, then the replies in the same order.
    private func pipelinedEnvelope(_ mail: SMTPCommand, _ recipients: [SMTPCommand]) throws -> (SMTPReply, [SMTPReply], SMTPReply?) {
        let commands = [mail] + recipients + [.data]
        for command in commands { transcript(.client, command.redactedLine) }
        try write(Array(commands.map(\.line).joined().utf8), phase: .mail)
        let mailReply = try readReply(phase: .mail)
        var replies: [SMTPReply] = []
        for _ in recipients { replies.append(try readReply(phase: .rcpt)) }
        let dataReply = try readReply(phase: .data)
        return (mailReply, replies, dataReply)
    }

    /// Ends a DATA that should not carry a message: the empty body, whose reply is ignored.
    private func finishEmptyData() throws -> SMTPReply {
        try write(Array(".\r\n".utf8), phase: .data)
        return try readReply(phase: .data)
    }

    /// Writes the body and reads the final reply. From the first byte of the body on, a lost
    /// connection means the outcome is unknown: the server may have queued the message.
    private func sendData(_ data: [UInt8]) throws -> SMTPReply {
        transcript(.client, "<\(data.count) octets of message data>")
        do {
            try write(data, phase: .data)
            return try readReply(phase: .data, deadline: .after(seconds: configuration.timeouts.socket),
                                 timeoutName: "socketTimeout")
        } catch var error as SMTPError where error.reply != nil {
            error.bodyWasSent = true  // e.g. 421 after the body: refused, but the body went out
            throw error
        } catch var error as SMTPError where error.reply == nil {
            error.outcomeUnknown = true
            error.bodyWasSent = true
            error.message += "; the message may or may not have been accepted, so it is not retried automatically"
            throw error
        }
    }

    /// RSET: abandons the current transaction (RFC 5321 §4.1.1.5).
    func reset() throws {
        let reply = try exchange(.rset, phase: .mail)
        guard reply.isPositive else { throw SMTPError(.rejected, phase: .mail, "the server refused RSET", reply: reply) }
    }

    /// Closes without QUIT: after a timeout or a broken connection, waiting for a polite goodbye
    /// would only delay the error.
    func abort() {
        stream?.close()
        stream = nil
    }

    /// QUIT and close; errors are ignored since the work is done.
    func close() {
        if let stream {
            if (try? write(Array(SMTPCommand.quit.line.utf8), phase: .quit)) != nil {
                transcript(.client, "QUIT")
                _ = try? readReply(phase: .quit, deadline: .after(seconds: min(5, configuration.timeouts.socket)), timeoutName: "socketTimeout")
            }
            stream.close()
        }
        stream = nil
    }

    // MARK: - Wire

    /// Sends `command` and reads its reply.
    func exchange(_ command: SMTPCommand, phase: SMTPPhase) throws -> SMTPReply {
        transcript(.client, command.redactedLine)
        try write(Array(command.line.utf8), phase: phase)
        return try readReply(phase: phase, deadline: .after(seconds: configuration.timeouts.socket), timeoutName: "socketTimeout")
    }

    func write(_ bytes: [UInt8], phase: SMTPPhase) throws {
        guard let stream else { throw SMTPError(.protocolViolation, phase: phase, "the connection is closed") }
        do {
            try stream.write(bytes, deadline: .after(seconds: configuration.timeouts.socket))
        } catch let error as NetworkError {
            throw map(error, phase: phase, timeoutName: "socketTimeout")
        }
    }

    private func readReply(phase: SMTPPhase) throws -> SMTPReply {
        try readReply(phase: phase, deadline: .after(seconds: configuration.timeouts.socket), timeoutName: "socketTimeout")
    }

    private func readReply(phase: SMTPPhase, deadline: Deadline, timeoutName: String) throws -> SMTPReply {
        guard let stream else { throw SMTPError(.protocolViolation, phase: phase, "the connection is closed") }
        do {
            while true {
                if let reply = try decoder.next() {
                    for (index, line) in reply.lines.enumerated() {
                        let separator = index == reply.lines.count - 1 ? " " : "-"
                        transcript(.server, "\(reply.code)\(separator)\(reply.enhancedCode.map { "\($0) " } ?? "")\(line)")
                    }
                    if reply.code == 421 {
                        throw SMTPError(.rejected, phase: phase, "the server is closing the connection", reply: reply,
                                        hint: "The server is shutting down or limiting connections; try again later.")
                    }
                    return reply
                }
                let bytes = try stream.read(deadline: deadline)
                guard !bytes.isEmpty else {
                    throw SMTPError(.protocolViolation, phase: phase, "the server closed the connection without a reply")
                }
                decoder.feed(bytes)
            }
        } catch let failure as ReplyDecoder.Failure {
            throw SMTPError(.protocolViolation, phase: phase, failure.message)
        } catch let error as NetworkError {
            throw map(error, phase: phase, timeoutName: timeoutName)
        }
    }

    private func map(_ error: NetworkError, phase: SMTPPhase, timeoutName: String) -> SMTPError {
        switch error.kind {
        case .timeout:
            let seconds: Double
            switch timeoutName {
            case "connectionTimeout": seconds = configuration.timeouts.connection
            case "greetingTimeout": seconds = configuration.timeouts.greeting
            default: seconds = configuration.timeouts.socket
            }
            return SMTPError(.timeout, phase: phase, "no answer within \(timeoutName) (\(Self.format(seconds)) s)",
                             hint: phase == .greeting ? "Check host and port: the server accepted the connection but did not greet. A port that expects implicit TLS (465) needs secure: true." : "Check that the host and port are right and reachable, or raise \(timeoutName).")
        case .cancelled:
            return SMTPError(.cancelled, phase: phase, "the send was cancelled")
        case .certificate:
            return SMTPError(.certificate, phase: .tls, error.message)
        case .tls:
            return SMTPError(.tls, phase: .tls, error.message)
        case .resolve:
            return SMTPError(.connection, phase: phase, error.message, hint: "Check the host name.")
        case .connect:
            return SMTPError(.connection, phase: phase, error.message, hint: "Check host and port, and that a firewall allows the connection.")
        case .closed, .io:
            return SMTPError(.protocolViolation, phase: phase, error.message)
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)
    }

    func transcript(_ direction: TranscriptLine.Direction, _ text: String) {
        configuration.transcript?(TranscriptLine(direction: direction, text: text))
    }

    private func note(_ text: String) { transcript(.note, text) }
}

extension SMTPSession {
    /// Opens the session, runs `work`, then ends it: QUIT after success or a clean rejection,
    /// an immediate close after a network failure, timeout or cancellation.
    func closing<T>(_ work: () throws -> T) throws -> T {
        do {
            try open()
            let result = try work()
            close()
            return result
        } catch let error as SMTPError where error.reply != nil && error.reply?.code != 421 {
            close()
            throw error
        } catch {
            abort()
            throw error
        }
    }
}
