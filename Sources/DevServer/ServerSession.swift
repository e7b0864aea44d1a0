import Foundation
import NetworkIO

/// The server side of one SMTP connection (RFC 5321 §4), kept deliberately small.
final class ServerSession {
    private unowned let server: DevServer
    private let stream: NetworkStream
    private var buffer: [UInt8] = []
    private var heloName: String?
    private var user: String?
    private var from: String?
    private var recipients: [String] = []

    init(server: DevServer, stream: NetworkStream) {
        self.server = server
        self.stream = stream
    }

    private var configuration: DevServerConfiguration { server.configuration }
    private var deadline: Deadline { .after(seconds: configuration.idleTimeout) }
    private var requiresAuth: Bool { configuration.requiresAuthentication ?? !configuration.users.isEmpty }
    private var offersAuth: Bool {
        !configuration.users.isEmpty
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
            try reply("220 \(configuration.serverName) ESMTP DevServer ready")
            while let line = try readLine() {
                guard try handle(line) else { return }
            }
        } catch {
            // The client went away or misbehaved; the connection is simply dropped.
        }
    }

    /// Handles one command; false ends the session.
    private func handle(_ line: String) throws -> Bool {
        let verb = line.prefix { $0 != " " }.uppercased()
        let argument = line.count > verb.count ? String(line.dropFirst(verb.count + 1)) : ""
        switch verb {
        case "EHLO":
            heloName = argument
            resetTransaction()
            var lines = ["\(configuration.serverName) greets \(argument)", "PIPELINING", "8BITMIME",
                         "SIZE \(configuration.maximumMessageSize)", "ENHANCEDSTATUSCODES"]
            if server.tlsContext != nil, !stream.isSecure, configuration.tls == .startTLS { lines.append("STARTTLS") }
            if offersAuth { lines.append("AUTH PLAIN LOGIN") }
            try multiline(250, lines)
        case "HELO":
            heloName = argument
            try reply("250 \(configuration.serverName)")
        case "STARTTLS":
            guard let context = server.tlsContext, !stream.isSecure, configuration.tls == .startTLS else {
                try reply("502 5.5.1 STARTTLS not available")
                return true
            }
            try reply("220 2.0.0 Ready to start TLS")
            buffer.removeAll()  // RFC 3207 §4.2: nothing sent before the handshake counts.
            try stream.startTLS(context, serverName: nil, deadline: deadline)
            heloName = nil
            resetTransaction()
        case "AUTH":
            try authenticate(argument)
        case "MAIL":
            guard heloName != nil else { try reply("503 5.5.1 Send EHLO first"); return true }
            guard !requiresAuth || user != nil else { try reply("530 5.7.0 Authentication required"); return true }
            guard let address = Self.path(argument, prefix: "FROM:") else { try reply("501 5.5.4 Syntax: MAIL FROM:<address>"); return true }
            resetTransaction()
            from = address
            try reply("250 2.1.0 Ok")
        case "RCPT":
            guard from != nil else { try reply("503 5.5.1 Need MAIL first"); return true }
            guard let address = Self.path(argument, prefix: "TO:"), !address.isEmpty else { try reply("501 5.5.4 Syntax: RCPT TO:<address>"); return true }
            recipients.append(address)
            try reply("250 2.1.5 Ok")
        case "DATA":
            guard let from, !recipients.isEmpty else { try reply("503 5.5.1 Need RCPT first"); return true }
            try reply("354 End data with <CR><LF>.<CR><LF>")
            guard let data = try readData() else {
                try reply("552 5.3.4 Message too big")
                return true
            }
            server.record(ReceivedMessage(from: from, recipients: recipients, data: data,
                                          authenticatedUser: user, tlsVersion: stream.tlsVersion))
            resetTransaction()
            try reply("250 2.0.0 Ok: queued as DEV\(server.messages.count)")
        case "RSET":
            resetTransaction()
            try reply("250 2.0.0 Ok")
        case "NOOP":
            try reply("250 2.0.0 Ok")
        case "QUIT":
            try reply("221 2.0.0 Bye")
            return false
        default:
            try reply("502 5.5.2 Command not recognized")
        }
        return true
    }

    private func authenticate(_ argument: String) throws {
        guard offersAuth else { try reply("503 5.5.1 AUTH not available"); return }
        guard user == nil else { try reply("503 5.5.1 Already authenticated"); return }
        let parts = argument.split(separator: " ", maxSplits: 1).map(String.init)
        let mechanism = parts.first?.uppercased() ?? ""
        let name: String
        let password: String
        switch mechanism {
        case "PLAIN":
            var response = parts.count > 1 ? parts[1] : nil
            if response == nil {
                try reply("334 ")
                response = try readLine()
            }
            guard let decoded = response.flatMap({ Data(base64Encoded: $0) }) else { try reply("501 5.5.2 Bad base64"); return }
            let fields = decoded.split(separator: 0, omittingEmptySubsequences: false)
            guard fields.count == 3 else { try reply("501 5.5.2 Bad PLAIN response"); return }
            name = String(decoding: fields[1], as: UTF8.self)
            password = String(decoding: fields[2], as: UTF8.self)
        case "LOGIN":
            try reply("334 VXNlcm5hbWU6")
            guard let userLine = try readLine(), let userData = Data(base64Encoded: userLine) else { try reply("501 5.5.2 Bad base64"); return }
            try reply("334 UGFzc3dvcmQ6")
            guard let passLine = try readLine(), let passData = Data(base64Encoded: passLine) else { try reply("501 5.5.2 Bad base64"); return }
            name = String(decoding: userData, as: UTF8.self)
            password = String(decoding: passData, as: UTF8.self)
        default:
            try reply("504 5.5.4 Unrecognized authentication type")
            return
        }
        if let expected = configuration.users[name], expected == password {
            user = name
            try reply("235 2.7.0 Authentication successful")
        } else {
            try reply("535 5.7.8 Authentication credentials invalid")
        }
    }

    private func resetTransaction() {
        from = nil
        recipients = []
    }

    /// `FROM:<a@b> SIZE=1` -> `a@b`.
    static func path(_ argument: String, prefix: String) -> String? {
        guard argument.uppercased().hasPrefix(prefix) else { return nil }
        let rest = argument.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        guard rest.hasPrefix("<"), let close = rest.firstIndex(of: ">") else { return nil }
        return String(rest[rest.index(after: rest.startIndex)..<close])
    }

    // MARK: - I/O

    private func reply(_ line: String) throws {
        try stream.write(Array((line + "\r\n").utf8), deadline: deadline)
    }

    private func multiline(_ code: Int, _ lines: [String]) throws {
        let text = lines.enumerated().map { index, line in
            "\(code)\(index == lines.count - 1 ? " " : "-")\(line)\r\n"
        }.joined()
        try stream.write(Array(text.utf8), deadline: deadline)
    }

    /// One CRLF-terminated line, or nil at end of stream. Lines over 64 KiB end the session.
    private func readLine() throws -> String? {
        guard let bytes = try readLineBytes() else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func readLineBytes() throws -> [UInt8]? {
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
