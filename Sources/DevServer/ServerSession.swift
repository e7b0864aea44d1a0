import Foundation
import NetworkIO
import SMTPWire

/// The server side of one SMTP connection (RFC 5321 §4), kept deliberately small.
final class ServerSession {
    private unowned let server: DevServer
    private let stream: NetworkStream
    private var buffer: [UInt8] = []
    private var heloName: String?
    private var user: String?
    private var from: String?
    private var recipients: [String] = []
    /// The session so far, as ``ReceivedMessage/transcript`` shows it.
    private var transcript: [String] = []
    /// How many transcript lines came before the first MAIL: kept for every message of the session.
    private var openingLength: Int?
    /// Whether client lines are SASL responses, recorded masked.
    private var maskingClientLines = false
    /// A session that sends this many lines without a message stops being recorded.
    private static let transcriptLimit = 2_000
    /// When the session must end, whatever it is doing (``DevServerConfiguration/maxSessionDuration``).
    private let sessionEnd: Deadline
    /// Commands that mean a web page or proxy is talking to this port (Postfix's
    /// `smtpd_forbidden_commands`, with HEAD and the Host header added): a browser made to POST to
    /// a loopback SMTP port must not get its body read as SMTP commands.
    private static let httpWords: Set<String> = ["GET", "POST", "HEAD", "CONNECT", "PUT", "HOST:"]

    init(server: DevServer, stream: NetworkStream) {
        self.server = server
        self.stream = stream
        sessionEnd = .after(seconds: server.configuration.maxSessionDuration)
    }

    private var configuration: DevServerConfiguration { server.configuration }
    /// The deadline of one command line, or of the session when that comes first.
    private var deadline: Deadline { min(.after(seconds: configuration.idleTimeout), sessionEnd) }
    private var requiresAuth: Bool {
        configuration.requiresAuthentication ?? !(configuration.users.isEmpty && configuration.oauthTokens.isEmpty)
    }
    private var offersAuth: Bool {
        !(configuration.users.isEmpty && configuration.oauthTokens.isEmpty)
            && (stream.isSecure || configuration.tls == .none || configuration.allowsAuthenticationWithoutTLS)
    }

    func run() {
        do {
            if configuration.tls == .implicit, let context = server.tlsContext {
                try stream.startTLS(context, serverName: nil, deadline: deadline)
            }
            if configuration.faults.contains(.silentGreeting) {
                while try !stream.read(deadline: deadline).isEmpty {}
                return
            }
            server.waitUntilGreetingsAreReleased()
            if configuration.faults.contains(.refuseGreeting) {
                try reply(421, "4.3.2", "\(configuration.serverName) Service not available, closing transmission channel")
                return
            }
            try reply(220, nil, "\(configuration.serverName) ESMTP DevServer ready")
            while let line = try readLine() {
                if let word = line.split(separator: " ", maxSplits: 1).first?.uppercased(), Self.httpWords.contains(word) {
                    note("dropping the connection: \(word) is HTTP, not SMTP")
                    try reply(221, "2.7.0", "Error: this is an SMTP server, not a web server. Goodbye.")
                    return
                }
                guard try handle(line) else { return }
            }
        } catch let error as NetworkError where error.kind == .timeout && sessionEnd.hasPassed {
            try? reply(421, "4.4.2", "\(configuration.serverName) session lasted over \(Int(configuration.maxSessionDuration)) s, closing")
        } catch {
            // The client went away or misbehaved; the connection is simply dropped.
        }
    }

    /// Handles one command; false ends the session.
    private func handle(_ line: String) throws -> Bool {
        let command: SMTPCommand
        do {
            command = try SMTPCommand(parsing: line)
        } catch {
            try reply(error.reply)
            return true
        }
        switch command {
        case .ehlo(let name):
            heloName = name
            resetTransaction()
            var lines = ["\(configuration.serverName) greets \(name)", "PIPELINING", "8BITMIME",
                         "SIZE \(configuration.maximumMessageSize)", "ENHANCEDSTATUSCODES"]
            if server.tlsContext != nil, !stream.isSecure, configuration.tls == .startTLS { lines.append("STARTTLS") }
            if offersAuth { lines.append("AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2") }
            try reply(SMTPReply(code: 250, lines: lines))
        case .helo(let name):
            heloName = name
            try reply(250, nil, configuration.serverName)
        case .startTLS:
            guard let context = server.tlsContext, !stream.isSecure, configuration.tls == .startTLS else {
                try reply(502, "5.5.1", "STARTTLS not available")
                return true
            }
            try reply(220, "2.0.0", "Ready to start TLS")
            buffer.removeAll()  // RFC 3207 §4.2: nothing sent before the handshake counts.
            try stream.startTLS(context, serverName: nil, deadline: deadline)
            note("TLS established (\(stream.tlsVersion ?? "unknown version"))")
            heloName = nil
            resetTransaction()
        case .auth(let mechanism, let initialResponse):
            try authenticate(mechanism: mechanism, initial: initialResponse)
        case .mailFrom(let address, _):
            if openingLength == nil { openingLength = transcript.count - 1 }
            guard heloName != nil else { try reply(503, "5.5.1", "Send EHLO first"); return true }
            guard !requiresAuth || user != nil else { try reply(530, "5.7.0", "Authentication required"); return true }
            if let allowed = configuration.allowedSenders, !allowed.contains(address.lowercased()) {
                try reply(553, "5.7.1", "<\(address)>: Sender address rejected: not owned by user \(user ?? "-")")
                return true
            }
            resetTransaction()
            from = address
            try reply(250, "2.1.0", "Ok")
        case .rcptTo(let address):
            guard from != nil else { try reply(503, "5.5.1", "Need MAIL first"); return true }
            guard recipients.count < configuration.maxRecipients else {
                try reply(452, "4.5.3", "Too many recipients (at most \(configuration.maxRecipients))")
                return true
            }
            recipients.append(address)
            try reply(250, "2.1.5", "Ok")
        case .data:
            guard let from, !recipients.isEmpty else { try reply(503, "5.5.1", "Need RCPT first"); return true }
            try reply(354, nil, "End data with <CR><LF>.<CR><LF>")
            guard let data = try readData() else {
                try reply(552, "5.3.4", "Message too big")
                return true
            }
            transcript.append("C: <message, \(data.count) octets>")
            transcript.append("C: .")
            if configuration.faults.contains(.deferData) {
                resetTransaction()
                try reply(451, "4.3.0", "Temporary failure, try again later")
                return true
            }
            let message = ReceivedMessage(from: from, recipients: recipients, data: data, authenticatedUser: user,
                                          tlsVersion: stream.tlsVersion, transcript: transcript)
            let queued = server.record(message) { SMTPReply(250, "2.0.0", "Ok: queued as DEV\($0)") }
            if configuration.faults.contains(.dropAfterData) {
                note("dropping the connection without a reply (fault dropAfterData)")
                return false
            }
            transcript.removeSubrange((openingLength ?? transcript.count)...)
            resetTransaction()
            try reply(queued)
        case .rset:
            resetTransaction()
            try reply(250, "2.0.0", "Ok")
        case .noop:
            try reply(250, "2.0.0", "Ok")
        case .quit:
            try reply(221, "2.0.0", "Bye")
            return false
        case .authResponse:
            try reply(502, "5.5.2", "Command not recognized")
        }
        return true
    }

    private func authenticate(mechanism: String, initial: String?) throws {
        maskingClientLines = true
        defer { maskingClientLines = false }
        guard offersAuth else { try reply(503, "5.5.1", "AUTH not available"); return }
        guard user == nil else { try reply(503, "5.5.1", "Already authenticated"); return }
        let verified: String?
        switch mechanism {
        case "PLAIN":
            guard let fields = try response(initial, challenge: "").map({ $0.split(separator: 0, omittingEmptySubsequences: false) }),
                  fields.count == 3 else { try reply(501, "5.5.2", "Bad PLAIN response"); return }
            verified = check(String(decoding: fields[1], as: UTF8.self), String(decoding: fields[2], as: UTF8.self))
        case "LOGIN":
            guard let name = try response(initial, challenge: "VXNlcm5hbWU6"),
                  let password = try response(nil, challenge: "UGFzc3dvcmQ6") else { try reply(501, "5.5.2", "Bad base64"); return }
            verified = check(String(decoding: name, as: UTF8.self), String(decoding: password, as: UTF8.self))
        case "CRAM-MD5":
            let challenge = "<\(UInt32.random(in: 1...UInt32.max)).\(Int(Date().timeIntervalSince1970))@\(configuration.serverName)>"
            guard let answer = try response(nil, challenge: Data(challenge.utf8).base64EncodedString()),
                  let space = answer.lastIndex(of: UInt8(ascii: " ")) else { try reply(501, "5.5.2", "Bad CRAM-MD5 response"); return }
            let name = String(decoding: answer[..<space], as: UTF8.self)
            let digest = String(decoding: answer[answer.index(after: space)...], as: UTF8.self)
            let expected = configuration.users[name].map { SASLMechanism.cramMD5Digest(password: $0, challenge: Array(challenge.utf8)) }
            verified = expected == digest ? name : nil
        case "XOAUTH2":
            guard let decoded = try response(initial, challenge: "").map({ String(decoding: $0, as: UTF8.self) }) else {
                try reply(501, "5.5.2", "Bad base64"); return
            }
            let fields = decoded.split(separator: "\u{01}").map(String.init)
            let name = fields.first { $0.hasPrefix("user=") }.map { String($0.dropFirst(5)) } ?? ""
            let token = fields.first { $0.hasPrefix("auth=Bearer ") }.map { String($0.dropFirst(12)) }
            if let token, configuration.oauthTokens[name] == token {
                verified = name
            } else {
                // Google's behaviour: a base64 JSON error challenge, then the final reply after an empty line.
                let error = #"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#
                try reply(334, nil, Data(error.utf8).base64EncodedString())
                _ = try readLine()
                verified = nil
            }
        default:
            try reply(504, "5.5.4", "Unrecognized authentication type")
            return
        }
        if let verified {
            user = verified
            try reply(235, "2.7.0", "Authentication successful")
        } else {
            try reply(535, "5.7.8", "Authentication credentials invalid")
        }
    }

    /// The decoded SASL response: the initial response when given, else the answer to `challenge`.
    private func response(_ initial: String?, challenge: String) throws -> Data? {
        if let initial { return initial == "=" ? Data() : Data(base64Encoded: initial) }
        try reply(334, nil, challenge)
        return try readLine().flatMap { Data(base64Encoded: $0) }
    }

    private func check(_ name: String, _ password: String) -> String? {
        configuration.users[name] == password ? name : nil
    }

    private func resetTransaction() {
        from = nil
        recipients = []
    }

    // MARK: - I/O

    private func reply(_ code: Int, _ enhancedCode: String?, _ text: String) throws {
        try reply(SMTPReply(code, enhancedCode, text))
    }

    private func reply(_ reply: SMTPReply) throws {
        if configuration.replyDelay > 0 { usleep(useconds_t(configuration.replyDelay * 1_000_000)) }
        let text = reply.wireText
        for line in text.split(separator: "\r\n") { record("S: " + line) }
        try stream.write(Array(text.utf8), deadline: deadline)
    }

    /// One CRLF-terminated line, or nil at end of stream. Lines over 64 KiB end the session.
    private func readLine() throws -> String? {
        guard let bytes = try readLineBytes() else { return nil }
        let line = String(decoding: bytes, as: UTF8.self)
        record("C: " + (maskingClientLines ? "********" : Self.maskingCredentials(line)))
        return line
    }

    /// `AUTH PLAIN <credentials>` as `AUTH PLAIN ********`: the initial response carries the secret.
    static func maskingCredentials(_ line: String) -> String {
        let words = line.split(separator: " ", maxSplits: 2)
        guard words.count == 3, words[0].uppercased() == "AUTH" else { return line }
        return "\(words[0]) \(words[1]) ********"
    }

    private func note(_ text: String) { record("* " + text) }

    private func record(_ line: some StringProtocol) {
        guard transcript.count < Self.transcriptLimit else { return }
        // At most 512 characters a line: a transcript is for reading, and the server's memory bound
        // counts it with each message.
        transcript.append(line.count > 512 ? String(line.prefix(512)) + "…" : String(line))
    }

    /// One line, which must arrive whole within `idleTimeout`: a client that trickles it a byte at
    /// a time gets no fresh deadline per read. The session's lifetime is checked here too, not
    /// only by reads: a client that pipelines ahead always has a line in the buffer.
    private func readLineBytes() throws -> [UInt8]? {
        if sessionEnd.hasPassed { throw NetworkError(.timeout, "the session's lifetime passed") }
        let deadline = self.deadline
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return line
            }
            guard buffer.count < 65_536 else { return nil }
            let bytes = try stream.read(deadline: deadline)
            if bytes.isEmpty { return nil }
            buffer += bytes
        }
    }

    /// The message up to the lone ".", with dot-stuffing undone; nil when too large.
    private func readData() throws -> [UInt8]? {
        var data: [UInt8] = []
        var tooLarge = false
        while let line = try readLineBytes() {
            if line == [UInt8(ascii: ".")] { return tooLarge ? nil : data }
            let content = line.first == UInt8(ascii: ".") ? Array(line.dropFirst()) : line
            if data.count + content.count > configuration.maximumMessageSize { tooLarge = true }
            if !tooLarge { data += content + [13, 10] }
        }
        throw NetworkError(.closed, "the client hung up during DATA")
    }
}
